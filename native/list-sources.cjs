// The one list of native sources: every .cc under the given folders of native/.
// binding.gyp calls this (node-gyp has no globs) and CMakeLists.txt globs the same
// folders, so adding a kernel file is the only step needed to build it everywhere.
const fs = require("fs");
const path = require("path");
const dirs = process.argv.slice(2);
const out = [];
for (const d of dirs) {
  const abs = path.join(__dirname, d);
  for (const f of fs.readdirSync(abs).sort()) if (f.endsWith(".cc")) out.push(`native/${d}/${f}`);
}
process.stdout.write(out.join(" "));
