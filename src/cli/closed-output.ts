// A server's stdout or stderr may be a pipe whose reader goes away: `npm start | head -3`, or a `| tee serve.log`
// that a SIGTERM to the process group ends first. A write there fails with EPIPE (EIO for a terminal that closed),
// which Node emits as an 'error' event on the stream; with nobody listening it ends the process, so the server
// died at startup, or in the middle of its graceful stop. Such an error is taken as the output having closed:
// the stream is destroyed by it, and every later write to it is dropped, while the server goes on.

/** From now on, an output stream that fails (its reader gone) drops what is written to it instead of crashing the process. */
export function dropWritesOnceClosed(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    // Nowhere to say it: the stream that failed is the one this would be said on, and the other may be the same pipe.
    if (!stream.listeners('error').includes(ignore)) stream.on('error', ignore);
  }
}

function ignore(): void {}
