# wrong: type: returned a list
def conv2d(x, w, b, stride, padding):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = (H + 2 * padding - KH) // stride + 1
    OW = (W + 2 * padding - KW) // stride + 1
    out = [[[[0.0] * OW for _ in range(OH)] for _ in range(F)] for _ in range(N)]
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    total = 0.0 if b is None else float(b[f])
                    for c in range(C):
                        for u in range(KH):
                            for v in range(KW):
                                r, s = i * stride + u - padding, j * stride + v - padding
                                if 0 <= r < H and 0 <= s < W:
                                    total += x[n, c, r, s] * w[f, c, u, v]
                    out[n][f][i][j] = total
    return out
