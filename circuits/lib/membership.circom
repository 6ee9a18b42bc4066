pragma circom 2.1.6;

include "merkle.circom";
include "commitments.circom";

// Membership (DESIGN 2.3), proved by the voter alone: the leaf behind L is in the tree
// under root, N is the nullifier of the same secret, and newKeyHash is bound to the proof.
template Membership(depth) {
    signal input root;
    signal input nullifier;
    signal input newKeyHash;
    signal input link;

    signal input s;
    signal input leaf;
    signal input pathElements[depth];
    signal input pathIndices[depth];
    signal input rho;

    component secret = SecretDerivations();
    secret.s <== s;
    secret.nullifier === nullifier;

    component tree = MerkleRoot(depth);
    tree.leaf <== leaf;
    tree.pathElements <== pathElements;
    tree.pathIndices <== pathIndices;
    tree.root === root;

    component l = Link();
    l.commitment <== secret.commitment;
    l.leaf <== leaf;
    l.rho <== rho;
    l.link === link;

    component bind = BindPublic();
    bind.in <== newKeyHash;
}
