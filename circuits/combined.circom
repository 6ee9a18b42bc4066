pragma circom 2.1.6;

include "lib/combined.circom";

component main {public [root, nullifier, newKeyHash, keyCommitment]} = CombinedReactivation(20);
