// Types of control.mjs (the kernel pool's control-block layout).
export declare const SEQ: 0;
export declare const PENDING: 1;
export declare const CMD: 2;
export declare const ERRORS: 3;
export declare const TASK_BASE: 16;
export declare const TASK_STRIDE: 4;
export declare const MAX_ARGS: 16;
export declare const ERR_BYTES: 512;
export declare const CMD_RUN: 1;
export declare const CMD_MSG: 2;
export declare const CMD_EXIT: 3;
