pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";

// The voter's deactivation secret s yields the commitment c = H(s + 1) and the
// nullifier N = H(s + 2) (DESIGN 2.2, 2.3). Both are one-input Poseidon hashes.
template SecretDerivations() {
    signal input s;
    signal output commitment;
    signal output nullifier;

    component c = Poseidon(1);
    c.inputs[0] <== s + 1;
    commitment <== c.out;

    component n = Poseidon(1);
    n.inputs[0] <== s + 2;
    nullifier <== n.out;
}

// L = H(c, leaf, rho): the link between the membership and the leaf-opening proofs.
template Link() {
    signal input commitment;
    signal input leaf;
    signal input rho;
    signal output link;

    component h = Poseidon(3);
    h.inputs[0] <== commitment;
    h.inputs[1] <== leaf;
    h.inputs[2] <== rho;
    link <== h.out;
}

// A public input that no constraint uses would be free to change; squaring it binds
// it to the proof (the usual trick for a signal hash).
template BindPublic() {
    signal input in;
    signal square;
    square <== in * in;
}
