"""Plain-PyTorch anchors for recforge's graph and MultiBalance CUDA kernels (anchors.py --graphs DIR
--balance), on the graphs cuda_gnn_bench wrote to DIR (graphs.json + raw int32 CSR files: the
graphs of `recforge bench gnn`), so both sides run on identical graphs:

  torch_gat_pyg_fwd[_bwd]        GAT attention layer as PyG's GATConv computes it after the
                                 projection, in plain torch: per-node scores, gathered per edge,
                                 LeakyReLU(0.2), scatter softmax (max by scatter_reduce "amax" on
                                 detached scores, exp, index_add sum; PyG's utils.softmax), messages
                                 wh[src] * alpha of shape [E, H, F], index_add into destinations
  torch_index_add_sum_fwd[_bwd]  weighted sum aggregation x[src] * w -> index_add (PyG's scatter path)
  torch_spmm_csr_fwd[_bwd_dx]    the same as torch.sparse CSR @ dense (gradient to x only)
  torch_scatter_softmax_fwd[_bwd] edge softmax, PyG's utils.softmax
  torch_balance                  MultiBalance step: vector_norm per task, the moving average / weight
                                 rule in fp64 (as recforge), then w @ G (one GEMV pass over G)
Forward times run with autograd recording (what training runs); forward + backward uses
torch.autograd.grad. Row names and shapes match the recforge rows bench/gpu/table.py pairs them with.
"""
import json
import os


def load_graphs(directory, np):
    with open(os.path.join(directory, "graphs.json")) as f:
        index = json.load(f)
    out = []
    for g in index:
        rowptr = np.fromfile(os.path.join(directory, g["rowptr"]), dtype="<i4")
        src = np.fromfile(os.path.join(directory, g["src"]), dtype="<i4")
        if rowptr.size != g["nodes"] + 1 or src.size != g["edges"] or rowptr[-1] != g["edges"]:
            raise ValueError(f"graph {g['name']}: files do not match graphs.json")
        out.append({**g, "rowptr_np": rowptr, "src_np": src})
    return out


def pyg_softmax(torch, scores, dst, n):
    """PyG's torch_geometric.utils.softmax(src, index, num_nodes) over dim 0, in plain torch."""
    idx = dst.view(-1, *([1] * (scores.dim() - 1))).expand_as(scores)
    mx = torch.full((n, *scores.shape[1:]), float("-inf"), device=scores.device, dtype=scores.dtype)
    mx = mx.scatter_reduce(0, idx, scores.detach(), "amax", include_self=True)
    ex = (scores - mx.index_select(0, dst)).exp()
    den = torch.zeros((n, *scores.shape[1:]), device=scores.device, dtype=scores.dtype).index_add(0, dst, ex)
    return ex / (den.index_select(0, dst) + 1e-16)


def gat_pyg(torch, wh, a_src, a_dst, src, dst, n):
    el = (wh * a_src).sum(-1)  # [N, H]
    er = (wh * a_dst).sum(-1)
    z = torch.nn.functional.leaky_relu(el.index_select(0, src) + er.index_select(0, dst), 0.2)
    alpha = pyg_softmax(torch, z, dst, n)  # [E, H]
    msg = wh.index_select(0, src) * alpha.unsqueeze(-1)  # [E, H, F]
    return torch.zeros_like(wh).index_add(0, dst, msg)


def run_graphs(torch, np, directory, time_ms, report):
    dev = torch.device("cuda")
    for g in load_graphs(directory, np):
        n, e = g["nodes"], g["edges"]
        rowptr = torch.from_numpy(g["rowptr_np"].astype(np.int64)).to(dev)
        src = torch.from_numpy(g["src_np"].astype(np.int64)).to(dev)
        dst = torch.repeat_interleave(torch.arange(n, device=dev), rowptr[1:] - rowptr[:-1])
        gshape = f"{g['name']} N{n} E{e}"
        gen = torch.Generator(device=dev).manual_seed(7)

        def randn(*shape, std=1.0, grad=False):
            t = torch.randn(*shape, device=dev, generator=gen) * std
            return t.requires_grad_(grad)

        gat_shapes = [(4, 64), (1, 256)] if g["graphs"] > 1 else [(4, 16), (4, 64)]
        for H, F in gat_shapes:
            wh, a_s, a_d = randn(n, H, F, grad=True), randn(H, F, std=0.1, grad=True), randn(H, F, std=0.1, grad=True)
            dout = randn(n, H, F)
            shape = f"{gshape} H{H}xF{F}"
            report("torch_gat_pyg_fwd", shape, time_ms(lambda: gat_pyg(torch, wh, a_s, a_d, src, dst, n)))
            report("torch_gat_pyg_fwd_bwd", shape, time_ms(
                lambda: torch.autograd.grad(gat_pyg(torch, wh, a_s, a_d, src, dst, n), (wh, a_s, a_d), dout)))
            del wh, a_s, a_d, dout

        F = 256 if g["graphs"] > 1 else 64
        x, w, dout = randn(n, F, grad=True), randn(e, grad=True), randn(n, F)
        shape = f"{gshape} F{F}"
        b_f = 4.0 * (2.0 * n * F + 2.0 * e + n)
        b_b = b_f + 4.0 * (2.0 * n * F + 3.0 * e + n + e)

        def seg():
            return torch.zeros(n, F, device=dev).index_add(0, dst, x.index_select(0, src) * w.unsqueeze(1))

        report("torch_index_add_sum_fwd", shape, time_ms(seg), 0, b_f)
        report("torch_index_add_sum_fwd_bwd", shape, time_ms(lambda: torch.autograd.grad(seg(), (x, w), dout)), 0, b_b)
        try:
            a = torch.sparse_csr_tensor(rowptr, src, w.detach(), (n, n))
            report("torch_spmm_csr_fwd", shape, time_ms(lambda: a @ x), 0, b_f)
            report("torch_spmm_csr_fwd_bwd_dx", shape, time_ms(lambda: torch.autograd.grad(a @ x, (x,), dout)), 0, b_b)
        except Exception as ex:  # noqa: BLE001 (sparse CSR autograd differs between versions)
            print(f"torch sparse CSR SpMM on {shape}: {type(ex).__name__}: {str(ex)[:200]}", flush=True)
        del x, w, dout

        H = 4
        sc, da = randn(e, H, grad=True), randn(e, H)
        shape = f"{gshape} H{H}"
        report("torch_scatter_softmax_fwd", shape, time_ms(lambda: pyg_softmax(torch, sc, dst, n)), 0,
               4.0 * (2.0 * e * H + n))
        report("torch_scatter_softmax_fwd_bwd", shape,
               time_ms(lambda: torch.autograd.grad(pyg_softmax(torch, sc, dst, n), (sc,), da)), 0,
               4.0 * (2.0 * e * H + n) + 4.0 * (3.0 * e * H + n))
        del sc, da


def run_balance(torch, time_ms, report):
    dev = torch.device("cuda")
    beta, relax = 0.9, 0.7
    for T, N in ((4, 2048 * 128), (4, 1 << 24)):
        G = torch.stack([torch.randn(N, device=dev) * 4.0 ** i for i in range(T)])
        state = {"m": torch.zeros(T, dtype=torch.float64, device=dev), "init": torch.zeros(T, dtype=torch.bool, device=dev)}

        def step():
            nrm = torch.linalg.vector_norm(G, dim=1).double()  # fp32 norms: what plain-torch code does
            m = torch.where(state["init"], beta * state["m"] + (1 - beta) * nrm, nrm)
            ref = m[0]
            w = torch.where(m > 0, relax * (ref / m) + (1 - relax), torch.ones_like(m))
            state["m"], state["init"] = m, torch.ones_like(state["init"])
            return w.to(G.dtype) @ G

        report("torch_balance", f"T{T} N{N}", time_ms(step), 0, (2.0 * T + 1.0) * N * 4.0)
        del G
