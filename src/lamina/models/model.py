"""``Model``: functional graphs (``Model(inputs, outputs)``) and subclassed models.

A functional model records the graph of layer calls made on ``keras.Input`` tensors and
replays it on data. A subclassed model defines ``call`` itself; its layers are tracked when
assigned as attributes. Both are layers (so models nest) and both train through the
:class:`~lamina.models.trainer.Trainer` methods (``compile``, ``fit``, ``evaluate``,
``predict``).
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.layers.input_layer import InputLayer
from lamina.layers.layer import (
    KerasTensor,
    Layer,
    _flatten,
    _map_structure,
    _shape_str,
    _to_tuples,
)
from lamina.models.trainer import Trainer
from lamina.saving.model_methods import ModelSavingMixin


class Model(Trainer, ModelSavingMixin, Layer):
    """A trainable group of layers.

    Functional: ``Model(inputs=keras.Input((2,)), outputs=...)``. Subclassed: define layers in
    ``__init__`` and the forward pass in ``call(inputs, training=None)``.
    """

    def __init__(self, *args, **kwargs) -> None:
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if args:
            if inputs is not None:
                raise TypeError("Model() got multiple values for argument 'inputs'")
            inputs, args = args[0], args[1:]
        if args:
            if outputs is not None:
                raise TypeError("Model() got multiple values for argument 'outputs'")
            outputs, args = args[0], args[1:]
        if args:
            raise TypeError(
                f"Model() takes at most 2 positional arguments, received {len(args) + 2}"
            )
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype, **kwargs)
        self._init_trainer()
        self._is_graph_network = False
        self.inputs = None
        self.outputs = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError(
                    "A functional Model needs both `inputs` and `outputs`: "
                    "Model(inputs=keras.Input(...), outputs=...)."
                )
            self._init_graph(inputs, outputs)

    @classmethod
    def _default_name(cls) -> str:
        from lamina.utils.naming import to_snake_case, unique_object_name

        if cls.__name__ in ("Functional",):
            return unique_object_name("model")
        return unique_object_name(to_snake_case(cls.__name__))

    # --- functional graph -----------------------------------------------------------------
    def _init_graph(self, inputs, outputs) -> None:
        flat_in = _flatten(inputs)
        flat_out = _flatten(outputs)
        for t in flat_in:
            if (
                not isinstance(t, KerasTensor)
                or t._keras_history is None
                or not isinstance(t._keras_history[0], InputLayer)
            ):
                raise ValueError(
                    "Input tensors to a functional Model must come from `keras.Input`. Received: "
                    f"{t!r} (missing previous layer metadata)."
                )
        for t in flat_out:
            if not isinstance(t, KerasTensor) or t._keras_history is None:
                raise ValueError(
                    "Output tensors of a functional Model must be the output of a layer called "
                    f"on `keras.Input` tensors. Received: {t!r}"
                )
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        if isinstance(inputs, list) and len(inputs) == 1:
            self._nested_inputs = inputs
        else:
            self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = flat_in
        self.outputs = flat_out
        nodes = _topological_nodes(flat_out)
        input_ids = {id(t) for t in flat_in}
        seen_ok: list[str] = []
        for node in nodes:
            if node.is_input:
                t = node.output_tensors[0]
                if id(t) not in input_ids:
                    raise ValueError(
                        f"Graph disconnected: cannot obtain value for tensor {t!r} at layer "
                        f'"{node.layer.name}". The following previous layers were accessed '
                        f"without issue: {seen_ok}"
                    )
            else:
                seen_ok.append(node.layer.name)
        self._graph_nodes = nodes
        layers = _keras_layer_order(flat_in, flat_out, nodes)
        ids = {id(layer) for layer in layers}
        self._graph_layers = layers
        self._tracked_layers[:] = [x for x in self._tracked_layers if id(x) in ids]
        for layer in layers:
            self._track(layer)
        self._input_layers = [t._keras_history[0] for t in flat_in]
        self._output_layers = [t._keras_history[0] for t in flat_out]
        self._is_graph_network = True
        self.built = True
        shapes = [tuple(t._shape) for t in flat_in]
        self._build_input_shape = shapes[0] if len(shapes) == 1 else shapes
        spec = getattr(self, "_compiled", None)
        if spec is not None and spec.losses is not None:
            spec.bind(list(self.output_names))  # the outputs changed (Sequential.add/pop)
            self.compiled_loss_fn = self._primary_loss()
        names = [layer.name for layer in layers]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(
                f'The name "{sorted(dup)[0]}" is used 2 times in the model. All layer names '
                "should be unique."
            )

    # --- symbolic add_loss / add_metric (tf.keras 2.x functional models) -----------------
    def add_loss(self, losses) -> None:
        """Add losses: Tensors or zero-argument callables as for any layer; on a functional
        model also tensors computed from its symbolic inputs (``0.01 *
        tf.reduce_mean(tf.square(h))``), which join the training loss on every step."""
        items = list(losses) if isinstance(losses, (list, tuple)) else [losses]
        if not any(isinstance(t, KerasTensor) for t in items):
            for item in items:
                super().add_loss(item)
            return
        for item in items:
            if not isinstance(item, KerasTensor):
                super().add_loss(item)
                continue
            self._check_symbolic_addition(item, "add_loss")
            if any(d != 1 for d in item._shape):
                raise ValueError(
                    f"add_loss: a symbolic loss must be a scalar, received a tensor of shape "
                    f"{_shape_str(item._shape)}; reduce it first (e.g. `tf.reduce_mean(...)`)."
                )
            from lamina.layers.op_lambda import AddLoss

            self._insert_graph_branch(AddLoss(unconditional=False)(item))

    def add_metric(self, value, name: str | None = None, aggregation: str | None = "mean"):
        """Report the running mean of ``value`` (a tensor computed from the functional
        model's symbolic inputs) as metric ``name`` in ``fit``/``evaluate`` logs."""
        if not isinstance(value, KerasTensor):
            raise TypeError(
                "add_metric: expected a symbolic tensor computed from the model's inputs "
                f"(a functional model), received {type(value).__name__}. In a subclassed "
                "model, update a `keras.metrics.Mean` in `call` and list it in `metrics`."
            )
        self._check_symbolic_addition(value, "add_metric")
        if name in self.metrics_names or name in [
            m.metric_name for m in self._added_metric_layers()
        ]:
            raise ValueError(f"add_metric: a metric named {name!r} is already reported.")
        from lamina.layers.op_lambda import AddMetric

        self._insert_graph_branch(AddMetric(aggregation=aggregation, metric_name=name)(value))

    def _check_symbolic_addition(self, tensor: KerasTensor, what: str) -> None:
        if not self._is_graph_network:
            raise ValueError(
                f"{what}: symbolic tensors can only be added to a functional model (built "
                f"with `Model(inputs, outputs)`); in a subclassed model call `self.{what}` "
                "inside `call` with the computed tensor."
            )
        if tensor._keras_history is None:
            raise ValueError(f"{what}: {tensor!r} was not produced by a layer.")
        input_ids = {id(t) for t in self.inputs}
        for node in _topological_nodes([tensor]):
            if node.is_input and id(node.output_tensors[0]) not in input_ids:
                raise ValueError(
                    f"{what}: graph disconnected: the tensor depends on "
                    f"{node.output_tensors[0]!r}, which is not an input of model "
                    f'"{self.name}".'
                )

    def _insert_graph_branch(self, tensor: KerasTensor) -> None:
        """Run the nodes computing ``tensor`` with the model (after its own nodes) and add
        their layers to ``layers``, as tf.keras 2.x inserts add_loss/add_metric branches."""
        known = {id(n) for n in self._graph_nodes}
        layer_ids = {id(x) for x in self._graph_layers}
        for node in _topological_nodes([tensor]):
            if id(node) in known or node.is_input:
                continue
            self._graph_nodes.append(node)
            known.add(id(node))
            layer = node.layer
            if id(layer) not in layer_ids:
                if any(x.name == layer.name for x in self._graph_layers):
                    raise ValueError(
                        f'The name "{layer.name}" is used 2 times in the model. All layer '
                        "names should be unique."
                    )
                self._graph_layers.append(layer)
                layer_ids.add(id(layer))
                self._track(layer)

    def _added_metric_layers(self) -> list:
        if not self._is_graph_network:
            return []
        return [x for x in self._graph_layers if type(x).__name__ == "AddMetric"]

    def _has_added_losses(self) -> bool:
        return self._is_graph_network and any(
            type(x).__name__ in ("AddLoss", "AddMetric") for x in self._graph_layers
        )

    @property
    def metrics_names(self) -> list[str]:
        names = super().metrics_names
        if names:
            names += [m.metric_name for m in self._added_metric_layers()]
        return names

    @property
    def metrics(self) -> list:
        out = super().metrics
        if out:
            out += [m.metric for m in self._added_metric_layers()]
        return out

    def reset_metrics(self) -> None:
        super().reset_metrics()
        for m in self._added_metric_layers():
            m.metric.reset_state()

    def _current_logs(self) -> dict:
        logs = super()._current_logs()
        for m in self._added_metric_layers():
            logs[m.metric_name] = float(np.float32(m.metric.result()))
        return logs

    def _mean_reduced_losses(self) -> bool:
        # Added losses and metrics are per-batch values: evaluate with the user's batches.
        return not self._has_added_losses() and super()._mean_reduced_losses()

    @property
    def layers(self) -> list:
        if self._is_graph_network:
            return list(self._graph_layers)
        return [x for x in self._tracked_layers]

    @property
    def weights(self) -> list:
        """Layer by layer (each layer's trainable then non-trainable weights), as tf.keras and
        Keras 3 order a model's weights: ``get_weights``/``set_weights`` of a model with a
        BatchNormalization match Keras's lists."""
        out, seen = [], set()
        for layer in self.layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        for w in self._trainable_weights + self._non_trainable_weights:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @layers.setter
    def layers(self, value) -> None:
        raise AttributeError(
            "`Model.layers` is read-only. Use `Sequential.add()` to add layers to a Sequential "
            "model."
        )

    @property
    def input_names(self) -> list[str]:
        if not self._is_graph_network:
            return []
        if isinstance(self._nested_inputs, dict):
            return list(self._nested_inputs)
        return [layer.name for layer in self._input_layers]

    @property
    def output_names(self) -> list[str]:
        if self._is_graph_network:
            if isinstance(self._nested_outputs, dict):
                return list(self._nested_outputs)
            names = []
            for t in self.outputs:
                layer = t._keras_history[0]
                names.append(layer.name)
            return names
        n = getattr(self, "_n_outputs", None) or 1
        return [f"output_{i + 1}" for i in range(n)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or the one at position ``index`` in ``layers``."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[x.name for x in self.layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def _layer_edges(self) -> list[tuple[Layer, Layer]]:
        """``(from_layer, to_layer)`` pairs of the graph, InputLayers included (for plot_model)."""
        if not self._is_graph_network:
            layers = self.layers
            return list(zip(layers[:-1], layers[1:]))
        edges = []
        for node in self._graph_nodes:
            for t in node.input_tensors:
                pair = (t._keras_history[0], node.layer)
                if pair not in edges:
                    edges.append(pair)
        return edges

    # --- running ----------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            raise NotImplementedError(
                f"Model {type(self).__name__} has no `call` method: subclasses of Model must "
                "implement `call(self, inputs, training=None)`, or create the model with "
                "`Model(inputs, outputs)`."
            )
        return self._run_graph(inputs, training)

    def _standardize_graph_inputs(self, inputs) -> list:
        n = len(self.inputs)
        if isinstance(inputs, dict):
            names = self.input_names
            missing = [k for k in names if k not in inputs]
            if missing:
                raise ValueError(
                    f"Missing data for input {missing[0]!r} of model '{self.name}'. You passed a "
                    f"dict with keys {sorted(inputs)}; expected keys: {names}."
                )
            return [inputs[k] for k in names]
        if isinstance(inputs, (list, tuple)):
            flat = list(inputs)
            if len(flat) != n:
                if n == 1:
                    return [inputs]
                raise ValueError(
                    f'Layer "{self.name}" expects {n} input(s), but it received {len(flat)} '
                    "input tensors."
                )
            return flat
        if n != 1:
            raise ValueError(
                f'Layer "{self.name}" expects {n} input(s), but it received 1 input tensor.'
            )
        return [inputs]

    def _conform(self, value, ref: KerasTensor, index: int):
        if not isinstance(value, Tensor):
            arr = np.asarray(value)
            if arr.dtype.kind in "fiub" and np.dtype(ref.dtype).kind == "f":
                arr = arr.astype(ref.dtype, copy=False)
            value = Tensor(arr)
        v = value._value
        ref_shape = ref._shape
        if v.ndim == len(ref_shape) - 1 and ref_shape[-1] == 1:
            from lamina import ops

            value = ops.reshape(value, v.shape + (1,))
            v = value._value
        if (
            np.dtype(ref.dtype).kind == "f"
            and v.dtype.kind in "fiub"
            and v.dtype != np.dtype(ref.dtype)
        ):
            from lamina import ops

            value = ops.cast(value, ref.dtype)
            v = value._value
        if v.ndim != len(ref_shape) or any(
            r is not None and r != s for r, s in zip(ref_shape[1:], v.shape[1:])
        ):
            raise ValueError(
                f'Input {index} of layer "{self.name}" is incompatible with the layer: expected '
                f"shape={_shape_str(ref_shape)}, found shape={_shape_str(v.shape)}"
            )
        return value

    def _run_graph(self, inputs, training=None):
        flat = self._standardize_graph_inputs(inputs)
        values: dict[int, object] = {}
        for i, (t, v) in enumerate(zip(self.inputs, flat)):
            values[id(t)] = self._conform(v, t, i)

        def get(t):
            return values[id(t)] if isinstance(t, KerasTensor) else t

        for node in self._graph_nodes:
            if node.is_input:
                continue
            args = _map_structure(get, node.call_args)
            kwargs = _map_structure(get, dict(node.call_kwargs))
            if training is not None and "training" not in kwargs and node.layer._call_has_training:
                kwargs["training"] = training
            out = node.layer(*args, **kwargs)
            for t, o in zip(node.output_tensors, _flatten(out)):
                values[id(t)] = o
        return _map_structure(get, self._nested_outputs)

    def build(self, input_shape=None) -> None:
        """Create the weights. Subclassed models run ``call`` once on dummy data of
        ``input_shape`` (unknown sizes taken as 1)."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError(
                "You must provide an `input_shape` argument to build a subclassed model."
            )
        if type(self).build is not Model.build or self.built:
            self.built = True
            return
        from lamina.autodiff import tape as _tape
        from lamina.layers.layer import _dummies

        if isinstance(input_shape, dict):
            shapes = {k: tuple(v) for k, v in input_shape.items()}
        elif isinstance(input_shape, list):
            shapes = _to_tuples(input_shape)
        else:
            shapes = tuple(input_shape)
        dummy = _dummies(shapes, self._dtype, 1)
        saved = _tape._active[:]
        _tape._active.clear()
        try:
            self.built = True
            self._build_input_shape = shapes
            try:
                self.call(dummy, training=False) if self._call_has_training else self.call(dummy)
            except Exception:
                self.built = False
                raise
        finally:
            _tape._active.extend(saved)

    def compute_output_shape(self, input_shape):
        if self._is_graph_network:
            shapes = [tuple(t._shape) for t in self.outputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return super().compute_output_shape(input_shape)

    def _symbolic_output_shape(self, shapes, args, kwargs):
        if self._is_graph_network and len(args) == 1 and not kwargs:
            out = [tuple(t._shape) for t in self.outputs]
            if isinstance(self._nested_outputs, dict):
                return {k: tuple(v._shape) for k, v in self._nested_outputs.items()}
            if isinstance(self._nested_outputs, list):
                return out
            return out[0]
        return super()._symbolic_output_shape(shapes, args, kwargs)

    # --- shapes -----------------------------------------------------------------------------
    @property
    def input_shape(self):
        if self._is_graph_network:
            shapes = [tuple(t._shape) for t in self.inputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return super().input_shape

    @property
    def output_shape(self):
        if self._is_graph_network:
            shapes = [tuple(t._shape) for t in self.outputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return super().output_shape

    @property
    def input(self):
        if self._is_graph_network:
            return self._nested_inputs
        return super().input

    @property
    def output(self):
        if self._is_graph_network:
            return self._nested_outputs
        return super().output

    # --- summary ---------------------------------------------------------------------------
    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ) -> None:
        """Print the layers, their output shapes and parameter counts (tf.keras 2.x table)."""
        from lamina.models.summary import print_summary

        if not self.built:
            raise ValueError(
                "This model has not yet been built. Build the model first by calling `build()` "
                "or by calling the model on a batch of data."
            )
        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    # --- config -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        if not self._is_graph_network:
            config = {"name": self.name, "trainable": self.trainable}
            own = _init_arg_config(self)
            config.update(own)
            return config
        return _functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        if "layers" in config and "input_layers" in config:
            return _functional_from_config(cls, config, custom_objects)
        if "layers" in config and cls.__name__ == "Sequential":
            return cls._from_sequential_config(config, custom_objects)
        for key in (
            "build_input_shape",
            "module",
            "registered_name",
            "build_config",
            "compile_config",
        ):
            config.pop(key, None)
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"Unable to revive model of class {cls.__name__} from its config: {e}. A "
                "subclassed model needs `get_config()`/`from_config()` that match its "
                "`__init__` arguments."
            ) from None


# --- graph helpers -------------------------------------------------------------------------
def _keras_layer_order(flat_in: list, flat_out: list, nodes: list) -> list:
    """The functional model's layers in Keras's order (tf.keras 2.x and Keras 3 alike).

    Layers are sorted by depth, deepest (nearest the inputs) first, where a node's depth is
    one more than the deepest node it feeds; ties keep the order in which a depth-first walk
    from the outputs first reaches them. ``summary()`` lists layers in this order and Keras's
    weight files address layers by it, so it must match.
    """
    index: dict[int, int] = {}
    seen: set[int] = set()
    for t in flat_out:  # pre-order walk over each node's inputs, in order
        stack = [t.node]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            index.setdefault(id(node.layer), len(index))
            stack.extend(reversed(node.parent_nodes))
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    by_id: dict[int, Layer] = {}
    for node in reversed(nodes):  # outputs first
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        by_id[id(node.layer)] = node.layer
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in flat_in:  # inputs that reach no output still belong to the model
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            index[id(layer)] = -1
            by_id[id(layer)] = layer
    order = sorted(by_id, key=lambda k: (-layer_depth[k], index.get(k, -1)))
    return [by_id[k] for k in order]


def _topological_nodes(outputs: list[KerasTensor]) -> list:
    order: list = []
    done: set[int] = set()
    for t in outputs:
        stack = [(t.node, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            if expanded:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((node, True))
            for parent in reversed(node.parent_nodes):
                if id(parent) not in done:
                    stack.append((parent, False))
    return order


def _init_arg_config(model) -> dict:
    import inspect

    out = {}
    try:
        params = inspect.signature(type(model).__init__).parameters
    except (TypeError, ValueError):
        return out
    for name, p in params.items():
        if name in ("self", "name", "trainable", "dtype") or p.kind in (
            p.VAR_POSITIONAL,
            p.VAR_KEYWORD,
        ):
            continue
        if hasattr(model, name):
            value = getattr(model, name)
            if isinstance(value, (int, float, str, bool, type(None), list, tuple, dict)):
                out[name] = value
    return out


def _serialize_layer(layer) -> dict:
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def _tensor_ref(t: KerasTensor, node_index_map: dict) -> dict:
    layer, node_index, tensor_index = t._keras_history
    node_index = node_index_map.get((id(layer), node_index), node_index)
    return {
        "class_name": "__keras_tensor__",
        "config": {
            "shape": list(t._shape),
            "dtype": t.dtype,
            "keras_history": [layer.name, node_index, tensor_index],
        },
    }


def _functional_config(model: Model) -> dict:
    relevant = {id(n) for n in model._graph_nodes}
    # Nodes are renumbered per layer, counting only the nodes of this model (Keras does so).
    node_index_map: dict = {}
    for layer in model._graph_layers:
        k = 0
        for i, node in enumerate(layer._inbound_nodes):
            if id(node) in relevant:
                node_index_map[(id(layer), i)] = k
                k += 1

    def ref(x):
        if isinstance(x, KerasTensor):
            return _tensor_ref(x, node_index_map)
        from lamina.utils.serialization import serialize_keras_object

        return serialize_keras_object(x)

    layers = []
    for layer in model._graph_layers:
        entry = _serialize_layer(layer)
        if not isinstance(layer, InputLayer) and isinstance(entry.get("config"), dict):
            entry["config"].pop("batch_input_shape", None)  # InputLayers carry the shapes
        entry["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if id(node) not in relevant or node.is_input:
                continue
            inbound.append(
                {
                    "args": [_map_structure(ref, a) for a in node.call_args],
                    "kwargs": _map_structure(ref, dict(node.call_kwargs)),
                }
            )
        entry["inbound_nodes"] = inbound
        layers.append(entry)

    def io(tensors, nested):
        refs = [
            [
                t._keras_history[0].name,
                node_index_map.get(
                    (id(t._keras_history[0]), t._keras_history[1]), t._keras_history[1]
                ),
                t._keras_history[2],
            ]
            for t in tensors
        ]
        if isinstance(nested, dict):
            return {k: r for k, r in zip(nested, refs)}
        if isinstance(nested, list):
            return refs
        return refs[0]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": io(model.inputs, model._nested_inputs),
        "output_layers": io(model.outputs, model._nested_outputs),
    }


def layer_from_config(config, custom_objects: dict | None = None, safe_mode: bool = True):
    """Rebuild a layer from a ``{'class_name', 'config'}`` dict (Keras 2 or Keras 3 shape)."""
    import lamina.layers as layers_mod
    from lamina.utils.serialization import deserialize_keras_object

    if isinstance(config, dict) and "class_name" in config:
        cls_name = config["class_name"]
        inner = dict(config.get("config") or {})
        custom = dict(custom_objects or {})
        from lamina.layers import op_lambda

        module_objects = {
            **{k: getattr(layers_mod, k) for k in dir(layers_mod) if not k.startswith("_")},
            **{k: getattr(op_lambda, k) for k in op_lambda.__all__ if k[0].isupper()},
            "Sequential": _sequential_cls(),
            "Model": Model,
            "Functional": Model,
        }
        from lamina.utils.serialization import get_registered_object

        cls = get_registered_object(cls_name, custom) or module_objects.get(cls_name)
        if cls is None:
            registered = config.get("registered_name")
            if registered:
                cls = get_registered_object(registered, custom)
        module = config.get("module") or ""
        if module.startswith(("keras.src.ops.", "keras.ops.")):
            return op_lambda.TFOpLambda.from_keras3_op(cls_name, inner)  # a Keras 3 op node
        if cls is None:
            return deserialize_keras_object(
                config, custom_objects=custom_objects, safe_mode=safe_mode
            )
        if isinstance(cls, type) and issubclass(cls, Model):
            layer = cls.from_config(inner, custom_objects=custom_objects)
        elif isinstance(cls, type) and cls.__name__ == "Lambda":
            layer = cls.from_config(inner, custom_objects=custom_objects, safe_mode=safe_mode)
        else:
            inner = _deserialize_layer_args(inner, custom_objects)
            layer = cls.from_config(inner)
        build = config.get("build_config")
        if build and hasattr(layer, "build_from_config") and not layer.built:
            try:
                layer.build_from_config(build)
            except Exception:  # noqa: BLE001 - building is an optimisation here
                pass
        return layer
    raise TypeError(f"Could not interpret layer config: {config!r}")


def _deserialize_layer_args(inner: dict, custom_objects) -> dict:
    from lamina.utils.serialization import deserialize_keras_object

    out = {}
    for k, v in inner.items():
        if k == "dtype" and isinstance(v, dict):
            out[k] = v.get("config", {}).get("name")
        elif isinstance(v, dict) and "class_name" in v:
            out[k] = deserialize_keras_object(v, custom_objects=custom_objects)
        else:
            out[k] = v
    return out


def _sequential_cls():
    from lamina.models.sequential import Sequential

    return Sequential


def _functional_from_config(cls, config: dict, custom_objects, prebuilt: dict | None = None):
    """Rebuild a functional graph; ``prebuilt`` maps layer names to layers to use as they are
    (``clone_model`` passes its cloned layers)."""
    created: dict[str, Layer] = {}
    pending = []
    for entry in config["layers"]:
        name = entry.get("name") or entry["config"].get("name")
        if prebuilt and name in prebuilt:
            layer = prebuilt[name]
        else:
            layer = layer_from_config(entry, custom_objects=custom_objects)
        created[name] = layer
        pending.append((layer, _inbound_calls(entry.get("inbound_nodes", []))))
    # Each layer's node outputs, indexed like the saved node indices. tf.keras 2.x's list-form
    # nodes count a nested model's calls from 1 (node 0 is its own graph's).
    from lamina.saving.legacy_h5 import own_node_models

    list_form = any(
        isinstance(n, list) for e in config["layers"] for n in e.get("inbound_nodes") or []
    )
    first_call = dict.fromkeys(own_node_models(config["layers"]), 1) if list_form else {}
    node_outputs: dict[str, list] = {}
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            node_outputs[name] = [_flatten(layer._tensor)]

    def resolve(ref):
        if isinstance(ref, dict) and ref.get("class_name") == "__keras_tensor__":
            lname, nidx, tidx = ref["config"]["keras_history"]
            return node_outputs[lname][nidx][tidx]
        if (
            isinstance(ref, (list, tuple))
            and len(ref) in (3, 4)
            and isinstance(ref[0], str)
            and isinstance(ref[1], int)
        ):
            lname, nidx, tidx = ref[0], ref[1] - first_call.get(ref[0], 0), ref[2]
            return node_outputs[lname][nidx][tidx]
        return ref

    def ready(ref) -> bool:
        if isinstance(ref, dict) and ref.get("class_name") == "__keras_tensor__":
            lname, nidx, _ = ref["config"]["keras_history"]
            return lname in node_outputs and len(node_outputs[lname]) > nidx
        if (
            isinstance(ref, (list, tuple))
            and len(ref) in (3, 4)
            and isinstance(ref[0], str)
            and isinstance(ref[1], int)
        ):
            nidx = ref[1] - first_call.get(ref[0], 0)
            return ref[0] in node_outputs and len(node_outputs[ref[0]]) > nidx
        if isinstance(ref, (list, tuple)):
            return all(ready(r) for r in ref)
        if isinstance(ref, dict):
            return all(ready(v) for v in ref.values())
        return True

    def resolve_struct(obj):
        if isinstance(obj, dict) and obj.get("class_name") == "__keras_tensor__":
            return resolve(obj)
        if isinstance(obj, dict) and obj.get("class_name") in _SERIALIZED_VALUES:
            from lamina.utils.serialization import deserialize_keras_object

            return deserialize_keras_object(obj, custom_objects=custom_objects)
        if (
            isinstance(obj, (list, tuple))
            and len(obj) in (3, 4)
            and isinstance(obj[0], str)
            and isinstance(obj[1], int)
        ):
            return resolve(obj)
        if isinstance(obj, list):
            return [resolve_struct(o) for o in obj]
        if isinstance(obj, tuple):
            return tuple(resolve_struct(o) for o in obj)
        if isinstance(obj, dict):
            return {k: resolve_struct(v) for k, v in obj.items()}
        return obj

    remaining = [(layer, list(calls)) for layer, calls in pending if calls]
    progress = True
    while remaining and progress:
        progress = False
        nxt = []
        for layer, calls in remaining:
            while calls and ready((calls[0][0], calls[0][1])):
                args, kwargs = calls.pop(0)
                out = layer(*resolve_struct(args), **resolve_struct(kwargs))
                node_outputs.setdefault(layer.name, []).append(_flatten(out))
                progress = True
            if calls:
                nxt.append((layer, calls))
        remaining = nxt
    if remaining:
        raise ValueError(
            "Cannot rebuild the functional model from its config: the layers "
            f"{[layer.name for layer, _ in remaining]} have inputs that are never produced."
        )

    def io(spec):
        if isinstance(spec, dict):
            return {k: io(v) for k, v in spec.items()}
        if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
            return resolve(spec)
        return [io(s) for s in spec]

    inputs = io(config["input_layers"])
    outputs = io(config["output_layers"])
    model_cls = cls if cls.__name__ not in ("Sequential",) else Model
    model = model_cls.__new__(model_cls)
    Model.__init__(
        model,
        inputs=inputs,
        outputs=outputs,
        name=config.get("name"),
        trainable=config.get("trainable", True),
    )
    # Branches no output depends on (add_loss / add_metric) run with the model, as saved.
    in_model = {id(x) for x in model._graph_layers}
    for name, layer in created.items():
        if id(layer) not in in_model:
            for out in node_outputs.get(name, []):
                for t in out:
                    model._insert_graph_branch(t)
    return model


#: Serialized argument values (not tensors) a saved node may hold.
_SERIALIZED_VALUES = frozenset(
    {"__slice__", "__ellipsis__", "__numpy__", "__tensor__", "__bytes__", "__lambda__", "function"}
)


def _inbound_calls(inbound) -> list:
    """Normalize saved inbound nodes to ``[(args, kwargs), ...]`` (Keras 3 and Keras 2 forms)."""
    calls = []
    for node in inbound:
        if isinstance(node, dict):
            calls.append((list(node.get("args", [])), dict(node.get("kwargs", {}))))
        elif isinstance(node, (list, tuple)):
            # Keras 2: [[layer_name, node_index, tensor_index, kwargs], ...]; tf.keras 2.x
            # op layers store one call as a single [name, 0, 0, kwargs] and a constant first
            # argument as ["_CONSTANT_VALUE", -1, value, kwargs].
            if node and isinstance(node[0], str):
                node = [node]
            refs = [list(r[:3]) for r in node]
            kwargs = {}
            if node and len(node[0]) > 3 and isinstance(node[0][3], dict):
                kwargs = dict(node[0][3])
            refs = [r[2] if r[0] == "_CONSTANT_VALUE" else r for r in refs]
            arg = refs[0] if len(refs) == 1 else refs
            calls.append(([arg], kwargs))
    return calls


__all__ = ["Model", "layer_from_config"]
