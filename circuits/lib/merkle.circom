pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";

// Root of a binary Poseidon(2) Merkle tree of the given depth from a leaf and its path.
// pathIndices[i] = 1 means the running node is the right child at level i. It matches
// src/crypto/merkle.ts, which hashes H(left, right) level by level.
template MerkleRoot(depth) {
    signal input leaf;
    signal input pathElements[depth];
    signal input pathIndices[depth];
    signal output root;

    component hashers[depth];
    signal nodes[depth + 1];
    signal left[depth];
    signal right[depth];
    nodes[0] <== leaf;

    for (var i = 0; i < depth; i++) {
        pathIndices[i] * (1 - pathIndices[i]) === 0;
        // One multiplication selects both children: swap = idx * (sibling - node).
        left[i] <== nodes[i] + pathIndices[i] * (pathElements[i] - nodes[i]);
        right[i] <== pathElements[i] + nodes[i] - left[i];
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== right[i];
        nodes[i + 1] <== hashers[i].out;
    }
    root <== nodes[depth];
}
