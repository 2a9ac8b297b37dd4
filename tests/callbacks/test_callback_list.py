"""CallbackList: hook fan-out, default callbacks, params as tf.keras 2.x shows them."""

from __future__ import annotations

import pytest
from cb_fakes import FakeModel, simulate_fit

from lamina import callbacks as cbks
from lamina.callbacks.callback_list import resolve_verbose


def _recording(name):
    def hook(self, *args, **kwargs):
        self.calls.append(name)
        getattr(cbks.Callback, name)(self, *args, **kwargs)

    return hook


class Recorder(cbks.Callback):
    """Overrides every hook and records the calls."""

    def __init__(self):
        super().__init__()
        self.calls = []


for _name in [n for n in dir(cbks.Callback) if n.startswith("on_")]:
    setattr(Recorder, _name, _recording(_name))


class EpochOnly(cbks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


class BatchCounter(cbks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_batch_end(self, batch, logs=None):  # Keras 2 name
        self.batches += 1


def test_default_callbacks_are_appended_after_user_ones(model):
    user = EpochOnly()
    cl = cbks.CallbackList([user], add_history=True, add_progbar=True, model=model, verbose=1)
    assert cl.callbacks[0] is user
    assert isinstance(cl.callbacks[1], cbks.History)
    assert isinstance(cl.callbacks[2], cbks.ProgbarLogger)
    assert model.history is cl.callbacks[1]


def test_existing_history_and_progbar_are_not_duplicated(model):
    h, p = cbks.History(), cbks.ProgbarLogger()
    cl = cbks.CallbackList([h, p], add_history=True, add_progbar=True, model=model)
    assert cl.callbacks == [h, p]


def test_hooks_reach_every_callback_in_order(model):
    rec = Recorder()
    simulate_fit(model, [rec], epochs=1, steps=2, verbose=0, epoch_logs=lambda e: {"loss": 1.0})
    assert rec.calls[0] == "on_train_begin"
    assert rec.calls[1] == "on_epoch_begin"
    assert rec.calls.count("on_train_batch_end") == 2
    assert rec.calls.count("on_batch_end") == 2  # Keras 2 hooks are forwarded
    assert rec.calls[-2:] == ["on_epoch_end", "on_train_end"]


def test_batch_hooks_skipped_for_epoch_only_callbacks(model):
    cl = cbks.CallbackList([EpochOnly()], add_history=True, model=model, verbose=0, epochs=1)
    assert not cl._should_call_train_batch_hooks
    counter = BatchCounter()
    cl2 = cbks.CallbackList([counter], model=model, verbose=0, epochs=1)
    assert cl2._should_call_train_batch_hooks
    cl2.on_train_batch_end(0, {"loss": 1.0})
    assert counter.batches == 1


def test_lambda_instance_hooks_count_as_implemented(model):
    seen = []
    cb = cbks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(b))
    cl = cbks.CallbackList([cb], model=model, verbose=0, epochs=1)
    assert cl._should_call_train_batch_hooks
    cl.on_train_batch_end(3, {})
    assert seen == [3]


def test_params_are_tf_keras_2_params(model):
    h = simulate_fit(model, epochs=2, steps=5, verbose=0, samples=150, batch_size=32)
    assert h.params == {"verbose": 0, "epochs": 2, "steps": 5}


def test_verbose_auto_and_bools_are_resolved(model):
    cl = cbks.CallbackList(model=model, add_history=True, verbose="auto", epochs=1, steps=1)
    assert cl.params["verbose"] == 1
    assert resolve_verbose(True) == 1
    assert resolve_verbose(False) == 0
    assert resolve_verbose(2) == 2
    with pytest.raises(ValueError, match="verbose"):
        resolve_verbose("loud")
    with pytest.raises(ValueError, match="verbose"):
        resolve_verbose(-1)


def test_append_gives_model_and_params(model):
    cl = cbks.CallbackList([], model=model, verbose=0, epochs=4, steps=2)
    cb = EpochOnly()
    cl.append(cb)
    assert cb.model is model
    assert cb.params == {"verbose": 0, "epochs": 4, "steps": 2}
    assert list(cl) == [cb] and len(cl) == 1


def test_nested_lists_and_single_callback_are_accepted(model):
    a, b = EpochOnly(), EpochOnly()
    assert cbks.CallbackList([[a], (b,)]).callbacks == [a, b]
    assert cbks.CallbackList(a).callbacks == [a]


def test_bad_callbacks_are_rejected_early():
    with pytest.raises(TypeError, match=r"callbacks\[0\].*class EarlyStopping.*instance"):
        cbks.CallbackList([cbks.EarlyStopping])
    with pytest.raises(TypeError, match=r"callbacks\[1\].*Callback instance.*str"):
        cbks.CallbackList([EpochOnly(), "early_stop"])
    with pytest.raises(TypeError, match="list of Callback"):
        cbks.CallbackList("history")


def test_model_history_is_set_and_stop_training_is_seen():
    model = FakeModel()

    class StopAtOne(cbks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    h = simulate_fit(model, [StopAtOne()], epochs=5, verbose=0)
    assert h.epoch == [0, 1]
    assert model.history is h


def test_subclass_without_super_init_still_works(model):
    class NoInit(cbks.Callback):
        def __init__(self):
            self.ends = 0

        def on_train_end(self, logs=None):
            self.ends += 1

    cb = NoInit()
    simulate_fit(model, [cb], epochs=1, verbose=0)
    assert cb.ends == 1 and cb.model is model
