"""Mini-batch GraphSAGE in PyTorch 1.13 (Debian's python3-torch), the reference side of bench/sage-minibatch.ts.

It reads the raw arrays that bench/sage-minibatch.ts writes (indptr.i32, indices.i32, features.f32, labels.i32,
part.u8 with 0 = train, 1 = val, 2 = test) and mirrors gnnops' semantics:
  * sampling: per hop from the seeds (fanouts 15,10 = PyG num_neighbors order), each frontier node takes up to k of
    its neighbours uniformly without replacement (all of them when it has at most k), vectorised: every candidate
    edge gets a uniform key, a stable sort by (row + key) shuffles each row, and the first k positions of each row
    are kept. The frontier's nodes come first among the block's src nodes, as in gnnops;
  * SAGEConv (mean, root weight): out = lin_l(mean_j x_j) + lin_r(x_dst), bias on lin_l, aggregation on the narrower
    side (mean before lin_l when in <= out, else after), torch.nn.Linear initialisation;
  * 2 layers, ReLU and dropout 0.5 between them, Adam lr 0.003, batch 1024, shuffled seeds each epoch;
  * evaluation: layer-wise inference over full neighbourhoods in chunks of 8192 nodes.
An epoch is one pass over the shuffled train nodes: sampling, forward, backward, step. Prints one JSON line.

  /usr/bin/python3 bench/torch_sage_minibatch.py --dir DIR [--epochs 3] [--threads 2]
"""

import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F


def load(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    n, f = meta["numNodes"], meta["numFeatures"]
    rd = lambda name, dt: np.fromfile(os.path.join(d, name), dtype=dt)
    indptr = torch.from_numpy(rd("indptr.i32", np.int32).astype(np.int64))
    indices = torch.from_numpy(rd("indices.i32", np.int32).astype(np.int64))
    x = torch.from_numpy(rd("features.f32", np.float32).reshape(n, f))
    y = torch.from_numpy(rd("labels.i32", np.int32).astype(np.int64))
    part = torch.from_numpy(rd("part.u8", np.uint8))
    return meta, indptr, indices, x, y, part


class Sampler:
    def __init__(self, indptr, indices, n):
        self.indptr, self.indices, self.n = indptr, indices, n
        self.local = torch.full((n,), -1, dtype=torch.int64)

    def hop(self, nodes, k, gen):
        """Block of one hop: (row pointer over `nodes`, sampled global neighbour ids)."""
        start = self.indptr[nodes]
        deg = self.indptr[nodes + 1] - start
        row = torch.repeat_interleave(torch.arange(len(nodes)), deg)
        offs = torch.arange(int(deg.sum())) - torch.repeat_interleave(torch.cumsum(deg, 0) - deg, deg)
        pos = torch.repeat_interleave(start, deg) + offs
        if k >= 0:
            key = row.double() + torch.rand(len(row), generator=gen, dtype=torch.float64)
            order = torch.argsort(key)
            # rank within the row after the shuffle
            rank = torch.arange(len(row)) - torch.repeat_interleave(torch.cumsum(deg, 0) - deg, deg)
            keep = order[rank < k]
            row, pos = row[keep], pos[keep]
            taken = torch.clamp(deg, max=k)
        else:
            taken = deg
        ptr = torch.zeros(len(nodes) + 1, dtype=torch.int64)
        ptr[1:] = torch.cumsum(taken, 0)
        return row, self.indices[pos], ptr

    def sample(self, seeds, fanouts, gen):
        """Blocks input side first: each (row index per edge, local src index per edge, num_dst, num_src)."""
        nodes = seeds
        self.local[nodes] = torch.arange(len(nodes))
        blocks = []
        for k in fanouts:
            row, nb, _ = self.hop(nodes, k, gen)
            new = torch.unique(nb[self.local[nb] < 0])
            self.local[new] = torch.arange(len(nodes), len(nodes) + len(new))
            src_nodes = torch.cat([nodes, new])
            blocks.append((row, self.local[nb], len(nodes), len(src_nodes)))
            nodes = src_nodes
        self.local[nodes] = -1
        blocks.reverse()
        return nodes, blocks


class SAGEConv(torch.nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.lin_l = torch.nn.Linear(i, o)
        self.lin_r = torch.nn.Linear(i, o, bias=False)
        self.i, self.o = i, o

    def forward(self, x, block):
        row, col, n_dst, _ = block
        deg = torch.bincount(row, minlength=n_dst).clamp(min=1).unsqueeze(1).to(x.dtype)

        def mean(h):
            return torch.zeros(n_dst, h.shape[1], dtype=h.dtype).index_add_(0, row, h[col]) / deg

        neigh = self.lin_l(mean(x)) if self.i <= self.o else mean(x @ self.lin_l.weight.t()) + self.lin_l.bias
        return neigh + self.lin_r(x[:n_dst])


class SAGE(torch.nn.Module):
    def __init__(self, i, h, o, dropout):
        super().__init__()
        self.convs = torch.nn.ModuleList([SAGEConv(i, h), SAGEConv(h, o)])
        self.dropout = dropout

    def forward(self, x, blocks):
        for l, (conv, b) in enumerate(zip(self.convs, blocks)):
            x = conv(x, b)
            if l < len(self.convs) - 1:
                x = F.dropout(F.relu(x), self.dropout, self.training)
        return x

    @torch.no_grad()
    def inference(self, x, sampler, chunk):
        n = x.shape[0]
        for l, conv in enumerate(self.convs):
            out = torch.empty(n, conv.o)
            for s in range(0, n, chunk):
                seeds = torch.arange(s, min(n, s + chunk))
                nodes, blocks = sampler.sample(seeds, [-1], None)
                h = conv(x[nodes], blocks[0])
                out[s : s + len(seeds)] = F.relu(h) if l < len(self.convs) - 1 else h
            x = out
        return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--fanouts", default="15,10")
    ap.add_argument("--hidden", type=int, default=256)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    meta, indptr, indices, x, y, part = load(a.dir)
    fanouts = [int(v) for v in a.fanouts.split(",")]
    sampler = Sampler(indptr, indices, meta["numNodes"])
    model = SAGE(meta["numFeatures"], a.hidden, meta["numClasses"], 0.5)
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    train = torch.nonzero(part == 0).flatten()
    gen = torch.Generator().manual_seed(0)
    epoch_ms, edges, batches = [], 0, 0
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        model.train()
        perm = train[torch.randperm(len(train), generator=gen)]
        for s in range(0, len(perm), a.batch):
            seeds = perm[s : s + a.batch]
            nodes, blocks = sampler.sample(seeds, fanouts, gen)
            edges += sum(len(b[0]) for b in blocks)
            batches += 1
            out = model(x[nodes], blocks)
            loss = F.cross_entropy(out, y[seeds])
            opt.zero_grad()
            loss.backward()
            opt.step()
        epoch_ms.append((time.perf_counter() - t0) * 1000)
    model.eval()
    t1 = time.perf_counter()
    logits = model.inference(x, sampler, 8192)
    eval_ms = (time.perf_counter() - t1) * 1000
    pred = logits.argmax(1)
    acc = lambda p: float((pred[part == p] == y[part == p]).float().mean())
    total = sum(epoch_ms)
    print(
        json.dumps(
            {
                "epoch_ms": epoch_ms,
                "epoch_ms_median": sorted(epoch_ms)[len(epoch_ms) // 2],
                "batches_per_s": batches / total * 1000,
                "sampled_edges_per_s": edges / total * 1000,
                "eval_ms": eval_ms,
                "val_acc": acc(1),
                "test_acc": acc(2),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
