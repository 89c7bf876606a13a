// The ops layer's second face, for the modules above it that call kernels themselves (optimisers,
// balancers, CSR building, device moves of parameters): the public ops plus the helpers those need.
// Importing it evaluates ./index.ts, which installs Tensor's methods. Not re-exported by the package.
export * from "./index.js";
export { backendFor, code, contiguousRaw, options } from "./core.js";
export { toDeviceRaw } from "./device.js";
export { mulRaw } from "./elementwise.js";
