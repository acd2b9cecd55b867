"""What this machine's dense arithmetic can do through PyTorch: the reference beside EngineCeilingBenchmark.

The same two operations as trainer-service's EngineCeilingBenchmark (a 2048x2048 matrix product; a 3x3
convolution of 256 to 256 channels on 128 images of 8x8, padding 1, VGG's fourth block), in fp32 and in bf16,
median of --reps timed calls after two untimed ones, under no_grad. bf16 is where the CPU's AVX-512 BF16 or AMX
run it in hardware; DJL 0.33's engine cannot make bf16 tensors at all, so this is the only bf16 figure.

Prints one JSON line: {"torch", "threads", "torch_fp32_matmul_gflops", "torch_fp32_conv_gflops",
"torch_bf16_matmul_gflops", "torch_bf16_conv_gflops"}.
Run: /usr/bin/python3 tools/reference/engine_ceiling.py [--threads N] [--reps 10] (Debian's python3-torch).
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

MATRIX = 2048
CONV_INPUT = (128, 256, 8, 8)
CONV_WEIGHT = (256, 256, 3, 3)


def rate(flop, reps, op):
    times = []
    for i in range(reps + 2):
        start = time.perf_counter()
        out = op()
        float(out.flatten()[0])
        if i >= 2:
            times.append(time.perf_counter() - start)
    return flop / statistics.median(times) / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--reps", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    matmul_flop = 2.0 * MATRIX ** 3
    n, c, h, w = CONV_INPUT
    conv_flop = 2.0 * n * CONV_WEIGHT[0] * c * 9 * h * w
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    with torch.no_grad():
        for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
            a = torch.randn(MATRIX, MATRIX).to(dtype)
            b = torch.randn(MATRIX, MATRIX).to(dtype)
            x = torch.randn(*CONV_INPUT).to(dtype)
            k = (torch.randn(*CONV_WEIGHT) * 0.02).to(dtype)
            out[f"torch_{name}_matmul_gflops"] = round(rate(matmul_flop, args.reps, lambda: a @ b), 1)
            out[f"torch_{name}_conv_gflops"] = round(
                rate(conv_flop, args.reps, lambda: F.conv2d(x, k, padding=1)), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
