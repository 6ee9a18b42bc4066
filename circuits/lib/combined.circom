pragma circom 2.1.6;

include "merkle.circom";
include "commitments.circom";
include "circomlib/circuits/bitify.circom";

// The benchmark baseline: the whole reactivation statement as one circuit that a single
// prover holding every secret (voter's and operator's) could prove. It has no link L and
// no privacy between the parties; it only sizes the work a non-private prover would do.
template CombinedReactivation(depth) {
    signal input root;
    signal input nullifier;
    signal input newKeyHash;
    signal input keyCommitment;

    signal input s;
    signal input pathElements[depth];
    signal input pathIndices[depth];
    signal input K;
    signal input kappa;

    component secret = SecretDerivations();
    secret.s <== s;
    secret.nullifier === nullifier;

    component kc = Poseidon(2);
    kc.inputs[0] <== K;
    kc.inputs[1] <== kappa;
    kc.out === keyCommitment;

    // The leaf's index is the path's bits read as a number: linear, so free under --O2.
    component index = Bits2Num(depth);
    index.in <== pathIndices;

    component leaf = Poseidon(3);
    leaf.inputs[0] <== K;
    leaf.inputs[1] <== secret.commitment;
    leaf.inputs[2] <== index.out;

    component tree = MerkleRoot(depth);
    tree.leaf <== leaf.out;
    tree.pathElements <== pathElements;
    tree.pathIndices <== pathIndices;
    tree.root === root;

    component bind = BindPublic();
    bind.in <== newKeyHash;
}
