"""Median CUDA-event time of a callable, shared by the PyTorch anchor scripts (anchors.py,
flex_anchor.py) so every anchor is timed the same way: warm-up calls, then `reps` timed calls,
each between two CUDA events; the median in milliseconds."""


def time_ms(torch, fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b))
    ts.sort()
    return ts[len(ts) // 2]
