"""The one-off rewrite of the shipped MiniLM ONNX graph to do its weight MatMuls in int8.

The shipped `model.onnx` keeps its weights as int8 but computes `MatMul(x, Cast(W_int8) * scale)`
in float, so it runs at float speed. Here each such MatMul becomes a row-wise dynamic quantisation
of `x` (its own scale per row, so no vector depends on its batch neighbours) and a
`MatMulInteger` with the int8 weights, rescaled after. `local_onnx.converted_model_path` runs it
once, checks the result against the shipped model and caches it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def convert_to_rowwise_int8(source: Path, target: Path) -> int:
    """Write `target`: `source` with its int8 weight MatMuls done in int8. Returns how many.

    In the shipped file every weight matrix W (K x N) is stored as int8 plus one float scale per
    output column, and dequantized (Cast, Mul) before a float MatMul. Here each such MatMul
    keeps the int8 weights exactly and quantizes its input x instead, with one scale per row
    (per token), so no text's vector depends on the other texts in its batch:

        s = max|x_row| / 127              q = round(x / s) + 128   (uint8, zero point 128)
        y = float(MatMulInteger(q, W_int8)) * w_scale * s

    Two Muls, column scale first: onnxruntime fuses MatMulInteger -> Cast -> Mul into one
    kernel and gets a per-row-times-per-column scale wrong there (seen on onnxruntime 1.32),
    while a per-column constant it handles.
    """
    model = onnx.load(str(source))
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1

    nodes: list[onnx.NodeProto] = []
    new_initializers: list[onnx.TensorProto] = []
    replaced: set[str] = set()  # outputs of the Cast and Mul nodes a rewrite made useless
    for node in graph.node:
        weight = _int8_weight(node, producer, initializers, consumers)
        if weight is None:
            nodes.append(node)
            continue
        cast, scale_mul, w_int8, w_scale = weight
        replaced.update({cast.output[0], scale_mul.output[0]})
        p = f"{node.name or node.output[0]}_rowq"
        x = node.input[0]
        new_initializers.append(numpy_helper.from_array(w_int8, p + "_w"))
        new_initializers.append(numpy_helper.from_array(w_scale, p + "_ws"))
        nodes += [
            helper.make_node("Abs", [x], [p + "_abs"]),
            helper.make_node("ReduceMax", [p + "_abs"], [p + "_absmax"], axes=[-1], keepdims=1),
            helper.make_node("Max", [p + "_absmax", "rowq_tiny"], [p + "_range"]),
            helper.make_node("Div", [p + "_range", "rowq_127"], [p + "_s"]),
            helper.make_node("Div", [x, p + "_s"], [p + "_xs"]),
            helper.make_node("Round", [p + "_xs"], [p + "_xr"]),
            helper.make_node("Add", [p + "_xr", "rowq_128"], [p + "_xu"]),
            helper.make_node("Cast", [p + "_xu"], [p + "_q"], to=TensorProto.UINT8),
            helper.make_node("MatMulInteger", [p + "_q", p + "_w", "rowq_zp_x", "rowq_zp_w"], [p + "_yi"]),
            helper.make_node("Cast", [p + "_yi"], [p + "_yf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "_yf", p + "_ws"], [p + "_yw"]),
            helper.make_node("Mul", [p + "_yw", p + "_s"], [node.output[0]]),
        ]
    if not replaced:
        raise ValueError(f"{source} has no int8 weight MatMul (Cast, Mul, MatMul) to rewrite")

    constants: dict[str, np.ndarray] = {
        "rowq_tiny": np.array(1e-8, np.float32),
        "rowq_127": np.array(127.0, np.float32),
        "rowq_128": np.array(128.0, np.float32),
        "rowq_zp_x": np.array(128, np.uint8),
        "rowq_zp_w": np.array(0, np.int8),
    }
    new_initializers += [numpy_helper.from_array(value, name) for name, value in constants.items()]
    kept_nodes = [n for n in nodes if n.output[0] not in replaced]
    used = {name for n in kept_nodes for name in n.input}
    kept_initializers = [t for t in graph.initializer if t.name in used] + new_initializers
    del graph.node[:]
    graph.node.extend(kept_nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept_initializers)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
    return len(replaced) // 2


def _int8_weight(
    node: onnx.NodeProto,
    producer: dict[str, onnx.NodeProto],
    initializers: dict[str, onnx.TensorProto],
    consumers: dict[str, int],
) -> tuple[onnx.NodeProto, onnx.NodeProto, np.ndarray, np.ndarray] | None:
    """(Cast, Mul, int8 W, column scales) when `node` is MatMul(x, Cast(W_int8) * scale), else None."""
    if node.op_type != "MatMul" or consumers.get(node.input[1], 0) != 1:
        return None
    scale_mul = producer.get(node.input[1])
    if scale_mul is None or scale_mul.op_type != "Mul" or consumers.get(scale_mul.input[0], 0) != 1:
        return None
    cast = producer.get(scale_mul.input[0])
    if cast is None or cast.op_type != "Cast":
        return None
    w_init, s_init = initializers.get(cast.input[0]), initializers.get(scale_mul.input[1])
    if w_init is None or s_init is None or w_init.data_type != TensorProto.INT8:
        return None
    w_int8, w_scale = numpy_helper.to_array(w_init), numpy_helper.to_array(s_init).astype(np.float32)
    if w_int8.ndim != 2 or w_scale.shape != (1, w_int8.shape[1]):
        return None
    return cast, scale_mul, w_int8, w_scale
