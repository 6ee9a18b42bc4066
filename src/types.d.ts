// snarkjs, ffjavascript and circomlibjs ship no type declarations.
declare module 'snarkjs'
declare module 'ffjavascript'
declare module 'circomlibjs'
