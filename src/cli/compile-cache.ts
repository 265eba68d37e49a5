// Node's on-disk compile cache (module.enableCompileCache): the modules a command loads, stripped of their types
// and compiled, are read back from it on the next start instead of compiled again. Node checks each entry against
// its source, so an edited file is compiled afresh. NODE_COMPILE_CACHE=DIR moves it (default: the OS temp
// directory) and NODE_DISABLE_COMPILE_CACHE=1 turns it off. Imported first by main.ts: it covers what is imported
// after it is evaluated (main.ts imports the commands after it), and, through the environment, the worker threads
// a server starts (the SQLite checkpointer, the log transport).
import module from 'node:module';

const enabled = module.enableCompileCache?.();
if (enabled?.directory && process.env.NODE_COMPILE_CACHE === undefined) process.env.NODE_COMPILE_CACHE = enabled.directory;
