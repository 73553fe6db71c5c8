#!/usr/bin/env python3
"""usage: tools/cuda-fatbin-keep.py SRC DST SM

Copies ONNX Runtime's CUDA provider library (libonnxruntime_providers_cuda.so, 284 MB in 1.31.0) with only the device
code an fp32 model needs on one GPU architecture (SM, e.g. 90 for the H100): every other cubin's bytes are zeroed, so
the file compresses to ~16 MB and fits a 64 MiB transfer to a lent GPU machine (tools/gpu-bench). The layout, the host
code and every symbol stay as they were; only .nv_fatbin payloads change.

Kept: the SM cubins of multi-architecture modules, i.e. ONNX Runtime's own kernels (elementwise, reductions, copies;
fp32 Gemm/MatMul go to cuBLAS, which is not in this file). Dropped: every other architecture, and the flash-attention,
CUTLASS, DeepGEMM and MoE modules (single-architecture sm_90 fp8/MoE GEMMs among them) that such a model never launches.
A dropped image is marked arch 75 with zero bytes, so the GPU never selects it (a cubin runs only on its own major); a
kernel from a dropped module would fail to launch with 'no kernel image', never run wrong code.

This is a measurement aid, not a shipping artefact: a product install uses the release's file as published.
"""
import struct
import subprocess
import sys

FATBIN_MAGIC = 0xBA55ED50
ELF_CUBIN = 2
DROPPED_ARCH = 75
SKIP_WORDS = (b'flash', b'cutlass', b'deep_gemm', b'moe', b'Moe')


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.splitlines()[0])
    src, dst, sm = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = bytearray(open(src, 'rb').read())
    if data[:4] != b'\x7fELF':
        sys.exit(f'{src}: not an ELF file')
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3A)

    def section(i):
        return struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize)

    names = section(shstrndx)[4]
    found = [s for s in map(section, range(shnum)) if data[names + s[0]:data.index(0, names + s[0])] == b'.nv_fatbin']
    if not found:
        sys.exit(f'{src}: no .nv_fatbin section')
    start, size = found[0][4], found[0][5]

    kept = dropped = 0
    pos = start
    while pos < start + size:
        magic, _, header, body = struct.unpack_from('<IHHQ', data, pos)
        if magic != FATBIN_MAGIC:
            pos += 8  # modules are 8-byte aligned; padding between them
            continue
        entries = []
        p = pos + header
        while p < pos + header + body:
            kind, _, entry_header, padded = struct.unpack_from('<HHIQ', data, p)
            compressed, = struct.unpack_from('<I', data, p + 16)
            arch, = struct.unpack_from('<I', data, p + 28)
            entries.append((p, entry_header, padded, compressed, arch, kind))
            p += entry_header + padded
        multi = len({e[4] for e in entries}) > 1
        for p, entry_header, padded, compressed, arch, kind in entries:
            payload = bytes(data[p + entry_header:p + entry_header + compressed])
            if kind == ELF_CUBIN and arch == sm and multi and not any(w in inflate(payload) for w in SKIP_WORDS):
                kept += padded
                continue
            data[p + entry_header:p + entry_header + padded] = bytes(padded)
            struct.pack_into('<I', data, p + 28, DROPPED_ARCH)
            dropped += padded
        pos += header + body
    open(dst, 'wb').write(data)
    print(f'sm_{sm}: kept {kept / 2**20:.1f} MiB of cubins, zeroed {dropped / 2**20:.1f} MiB')


def inflate(payload):
    """A cubin's text (zstd-compressed in CUDA 13 fatbins; raw otherwise), for the kernel-name check."""
    if payload[:4] == b'\x28\xb5\x2f\xfd':
        return subprocess.run(['zstd', '-dcq'], input=payload, capture_output=True, check=True).stdout
    return payload


if __name__ == '__main__':
    main()
