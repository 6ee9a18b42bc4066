pragma circom 2.1.6;

include "lib/membership.circom";

component main {public [root, nullifier, newKeyHash, link]} = Membership(20);
