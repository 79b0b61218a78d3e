#!/usr/bin/python3
"""Independent reference for the engine's model graphs: GPT-2 and Llama/Qwen2/Mistral forwards written from the
architecture exactly as Hugging Face transformers computes them (eager attention, additive finfo.min masks, HF
RoPE with rotate_half, repeat_kv, gelu_new, RMSNorm in the HF order), in float64 with torch.autograd.

Reads JSON from stdin: {"cases": [{"model_dir", "input_ids", "attention_mask", "completion_mask"?, "qrpo"?:
{"targets", "ref_logps", "beta"}, "score_weights"?}]} and writes {"results": [...]} to stdout, each with "logp"
(summed completion log-probs, labels shifted), "token_logps", "loss" and "grads" (canonical parameter name → flat
list) for a QRPO mse loss, or for sequence-classification models "scores" and the gradients of
sum(scores * score_weights). Position ids are cumsum(attention_mask) - 1 with pads set to 1 (HF generate).
A case with "lora_dir" (a PEFT LoRA adapter folder) freezes the base weights and returns the gradients of the
adapter's A and B ("<module>.lora_A.weight", "<module>.lora_B.weight") instead (run_lora_case).
Safetensors are parsed here from the header (no safetensors package): 8-byte little-endian length, JSON, raw data.
Run with Debian's /usr/bin/python3 (python3-torch).
"""
import json
import math
import os
import struct
import sys

import torch

DTYPE = torch.float64
TORCH_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = TORCH_DTYPES[info["dtype"]]
        if end > start:
            t = torch.frombuffer(bytearray(data[base + start : base + end]), dtype=dtype).reshape(info["shape"])
        else:
            t = torch.zeros(info["shape"], dtype=dtype)
        tensors[name] = t.to(DTYPE)
    return tensors


def load_model(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    index = os.path.join(folder, "model.safetensors.index.json")
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    raw = {}
    for name in files:
        raw.update(read_safetensors(os.path.join(folder, name)))
    prefix = "transformer." if config["model_type"] == "gpt2" else "model."
    params = {}
    for name, t in raw.items():
        if name.endswith(("attn.bias", "attn.masked_bias", "rotary_emb.inv_freq")) and "c_attn" not in name:
            continue
        canonical = name[len(prefix) :] if name.startswith(prefix) else name
        params[canonical] = t.clone().requires_grad_(True)
    return config, params


def additive_mask(attention_mask, dtype):
    """[B, 1, T, T]: 0 where key j <= query i and key j is a token, finfo.min elsewhere (HF eager)."""
    B, T = attention_mask.shape
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    allowed = causal[None, None] & attention_mask[:, None, None, :].bool()
    return torch.zeros(B, 1, T, T, dtype=dtype).masked_fill(~allowed, torch.finfo(dtype).min)


def position_ids(attention_mask):
    pos = attention_mask.long().cumsum(-1) - 1
    return pos.masked_fill(attention_mask == 0, 1)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def attention(q, k, v, mask, head_dim):
    w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(head_dim)
    w = torch.softmax(w + mask, dim=-1)
    return torch.matmul(w, v)


def gpt2_hidden(config, p, ids, attention_mask):
    D, H = config["n_embd"], config["n_head"]
    Dh = D // H
    eps = config.get("layer_norm_epsilon", 1e-5)
    B, T = ids.shape
    mask = additive_mask(attention_mask, DTYPE)
    h = p["wte.weight"][ids] + p["wpe.weight"][position_ids(attention_mask)]
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (D,), p[n + ".weight"], p[n + ".bias"], eps)
    conv1d = lambda x, n: torch.addmm(p[n + ".bias"], x.reshape(-1, x.shape[-1]), p[n + ".weight"]).reshape(*x.shape[:-1], -1)
    heads = lambda x: x.view(B, T, H, Dh).transpose(1, 2)
    for i in range(config["n_layer"]):
        l = f"h.{i}"
        q, k, v = conv1d(ln(h, l + ".ln_1"), l + ".attn.c_attn").split(D, dim=2)
        a = attention(heads(q), heads(k), heads(v), mask, Dh).transpose(1, 2).reshape(B, T, D)
        h = h + conv1d(a, l + ".attn.c_proj")
        h = h + conv1d(gelu_new(conv1d(ln(h, l + ".ln_2"), l + ".mlp.c_fc")), l + ".mlp.c_proj")
    h = ln(h, "ln_f")
    head = p["wte.weight"] if config.get("tie_word_embeddings", True) else p.get("lm_head.weight")
    return h, head


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def llama_hidden(config, p, ids, attention_mask):
    D, H = config["hidden_size"], config["num_attention_heads"]
    Hkv = config.get("num_key_value_heads", H)
    Dh = config.get("head_dim") or D // H
    eps = config.get("rms_norm_eps", 1e-6)
    theta = config.get("rope_theta", 10000.0)
    B, T = ids.shape
    mask = additive_mask(attention_mask, DTYPE)
    # LlamaRotaryEmbedding: inv_freq and the angles in float32, cos/sin cast to the activations' dtype.
    inv_freq = 1.0 / (theta ** (torch.arange(0, Dh, 2, dtype=torch.int64).float() / Dh))
    freqs = (inv_freq[None, :, None] @ position_ids(attention_mask)[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(DTYPE)[:, None], emb.sin().to(DTYPE)[:, None]

    def linear(x, n):
        y = x @ p[n + ".weight"].T
        return y + p[n + ".bias"] if n + ".bias" in p else y

    def rms(x, n):
        variance = x.pow(2).mean(-1, keepdim=True)
        return p[n + ".weight"] * (x * torch.rsqrt(variance + eps))

    def repeat_kv(x):
        g = H // Hkv
        return x[:, :, None].expand(B, Hkv, g, T, Dh).reshape(B, H, T, Dh)

    h = p["embed_tokens.weight"][ids]
    for i in range(config["num_hidden_layers"]):
        l = f"layers.{i}"
        x = rms(h, l + ".input_layernorm")
        q = linear(x, l + ".self_attn.q_proj").view(B, T, H, Dh).transpose(1, 2)
        k = linear(x, l + ".self_attn.k_proj").view(B, T, Hkv, Dh).transpose(1, 2)
        v = linear(x, l + ".self_attn.v_proj").view(B, T, Hkv, Dh).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        a = attention(q, repeat_kv(k), repeat_kv(v), mask, Dh).transpose(1, 2).reshape(B, T, H * Dh)
        h = h + linear(a, l + ".self_attn.o_proj")
        y = rms(h, l + ".post_attention_layernorm")
        h = h + linear(torch.nn.functional.silu(linear(y, l + ".mlp.gate_proj")) * linear(y, l + ".mlp.up_proj"), l + ".mlp.down_proj")
    h = rms(h, "norm")
    head = p["embed_tokens.weight"] if config.get("tie_word_embeddings", False) else p.get("lm_head.weight")
    return h, head


def run_case(case):
    config, p = load_model(case["model_dir"])
    ids = torch.tensor(case["input_ids"], dtype=torch.long)
    attention_mask = torch.tensor(case["attention_mask"], dtype=torch.long)
    forward = gpt2_hidden if config["model_type"] == "gpt2" else llama_hidden
    hidden, head = forward(config, p, ids, attention_mask)
    result = {}
    if config["architectures"][0].endswith("ForSequenceClassification"):
        # transformers >= 4.48: the last position whose id is not the pad token.
        non_pad = (ids != config["pad_token_id"]).long()
        last = (torch.arange(ids.shape[1]) * non_pad).argmax(-1)
        scores = (hidden @ p["score.weight"].T)[torch.arange(ids.shape[0]), last]
        loss = (scores * torch.tensor(case["score_weights"], dtype=DTYPE)).sum()
        result["scores"] = scores.tolist()
    else:
        logits = (hidden @ head.T)[:, :-1]
        labels = ids[:, 1:]
        weights = torch.tensor(case["completion_mask"], dtype=DTYPE)[:, 1:]
        token_logps = torch.log_softmax(logits, dim=-1).gather(2, labels[..., None])[..., 0] * weights
        logp = token_logps.sum(-1)
        qrpo = case["qrpo"]
        residual = torch.tensor(qrpo["targets"], dtype=DTYPE) - qrpo["beta"] * (logp - torch.tensor(qrpo["ref_logps"], dtype=DTYPE))
        loss = (residual**2).mean()
        result.update(logp=logp.tolist(), token_logps=token_logps.tolist())
    loss.backward()
    result["loss"] = loss.item()
    result["grads"] = {name: t.grad.flatten().tolist() for name, t in p.items() if t.grad is not None}
    return result


def load_lora_adapter(folder, config):
    """A PEFT LoRA folder read independently of the engine: adapter_config.json and the tensors PEFT names
    base_model.model.<module>.lora_A.weight [r, in] / .lora_B.weight [out, r], keyed by canonical module name."""
    with open(os.path.join(folder, "adapter_config.json")) as f:
        adapter_config = json.load(f)
    prefix = "base_model.model." + ("transformer." if config["model_type"] == "gpt2" else "model.")
    modules = {}
    for name, t in read_safetensors(os.path.join(folder, "adapter_model.safetensors")).items():
        assert name.startswith(prefix) and name.endswith((".lora_A.weight", ".lora_B.weight")), name
        module, matrix = name[len(prefix) : -len(".weight")].rsplit(".lora_", 1)
        modules.setdefault(module, {})[matrix] = t.clone().requires_grad_(True)
    return adapter_config, modules


def run_lora_case(case):
    """A causal LM with a LoRA adapter on frozen base weights: QRPO loss, log-probs and the gradients of A and B.

    The adapted weight is formed the way PEFT merges it (lora/layer.py get_delta_weight):
    W + scaling * transpose(B @ A, fan_in_fan_out), with fan_in_fan_out for GPT-2's Conv1D [in, out] weights. By
    linearity x·(W + s·(B·A)ᵀ) = x·W + s·(x·Aᵀ)·Bᵀ, PEFT's forward, so autograd through this merged form gives the
    LoRA gradients by a different route than the engine's factored graph."""
    config, p = load_model(case["model_dir"])
    p = {name: t.detach() for name, t in p.items()}
    adapter_config, lora = load_lora_adapter(case["lora_dir"], config)
    conv1d = config["model_type"] == "gpt2"
    assert adapter_config["fan_in_fan_out"] == conv1d, "PEFT sets fan_in_fan_out exactly for Conv1D targets"
    scaling = adapter_config["lora_alpha"] / adapter_config["r"]
    for module, ab in lora.items():
        delta = ab["B"] @ ab["A"]
        p[module + ".weight"] = p[module + ".weight"] + scaling * (delta.T if conv1d else delta)
    ids = torch.tensor(case["input_ids"], dtype=torch.long)
    attention_mask = torch.tensor(case["attention_mask"], dtype=torch.long)
    forward = gpt2_hidden if conv1d else llama_hidden
    hidden, head = forward(config, p, ids, attention_mask)
    logits = (hidden @ head.T)[:, :-1]
    weights = torch.tensor(case["completion_mask"], dtype=DTYPE)[:, 1:]
    token_logps = torch.log_softmax(logits, dim=-1).gather(2, ids[:, 1:, None])[..., 0] * weights
    logp = token_logps.sum(-1)
    qrpo = case["qrpo"]
    residual = torch.tensor(qrpo["targets"], dtype=DTYPE) - qrpo["beta"] * (logp - torch.tensor(qrpo["ref_logps"], dtype=DTYPE))
    loss = (residual**2).mean()
    loss.backward()
    grads = {f"{module}.lora_{m}.weight": t.grad.flatten().tolist() for module, ab in lora.items() for m, t in ab.items()}
    return {"logp": logp.tolist(), "token_logps": token_logps.tolist(), "loss": loss.item(), "grads": grads}


def main():
    request = json.load(sys.stdin)
    results = [run_lora_case(c) if "lora_dir" in c else run_case(c) for c in request["cases"]]
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
