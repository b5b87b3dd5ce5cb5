"""Export the bundled all-MiniLM-L6-v2 to ONNX (fp32 and int8) from its own weights, on this
machine; nothing is downloaded. The files go beside the unpacked weights in the cache folder
($STANCEMAP_CACHE, else ~/.cache/stancemap), where the "minilm-onnx" and "minilm-onnx-int8"
encoders look for them (they also export on first use when the files are missing).

    python scripts/export_minilm_onnx.py"""

from __future__ import annotations


def main() -> None:
    from stancemap.nlp.encoder import bundled_encoder_path
    from stancemap.nlp.onnx_encoder import export

    weights = bundled_encoder_path()
    for variant in ("fp32", "int8"):
        path = export(weights, variant)
        print(f"{variant}: {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
