pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "commitments.circom";

// Leaf opening (DESIGN 2.3), proved by the voter-operator 2PC. The voter holds
// commitment, leaf, rho; the operator holds K, kappa. Only H(K, commitment) mixes both.
template LeafOpening() {
    signal input link;
    signal input keyCommitment;

    signal input commitment;
    signal input leaf;
    signal input rho;
    signal input K;
    signal input kappa;

    component l = Link();
    l.commitment <== commitment;
    l.leaf <== leaf;
    l.rho <== rho;
    l.link === link;

    component kc = Poseidon(2);
    kc.inputs[0] <== K;
    kc.inputs[1] <== kappa;
    kc.out === keyCommitment;

    component realLeaf = Poseidon(2);
    realLeaf.inputs[0] <== K;
    realLeaf.inputs[1] <== commitment;
    realLeaf.out === leaf;
}
