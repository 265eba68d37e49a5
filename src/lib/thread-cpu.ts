// CPU time of the calling thread: what a time budget should count when it means "work this thread did",
// since wall-clock time also counts the time other processes on a busy machine had the CPU.

/** CPU time of this thread, ms (the process's where Node lacks threadCpuUsage). */
export function threadCpuMs(): number {
  const usage = typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
