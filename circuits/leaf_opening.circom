pragma circom 2.1.6;

include "lib/leaf_opening.circom";

component main {public [link, keyCommitment]} = LeafOpening();
