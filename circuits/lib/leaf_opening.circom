pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "commitments.circom";

// Leaf opening (DESIGN 2.3, revision 1.1), proved by the voter-operator 2PC. The voter
// holds commitment, leaf, rho and the leaf's index; the operator holds K, kappa. Only
// H(K, commitment, index) mixes both. The index makes every real leaf unique: two
// deactivations with the same commitment get unrelated leaves (the equal-commitment oracle
// of issue 8). The index needs no link to the membership path: a value H(K, c, i) is only
// ever placed at position i, so a leaf found in the tree under another index opens nothing.
template LeafOpening() {
    signal input link;
    signal input keyCommitment;

    signal input commitment;
    signal input leaf;
    signal input rho;
    signal input index;
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

    component realLeaf = Poseidon(3);
    realLeaf.inputs[0] <== K;
    realLeaf.inputs[1] <== commitment;
    realLeaf.inputs[2] <== index;
    realLeaf.out === leaf;
}
