// Type declarations for embedded-postgres.mjs (kept as plain JS so tsc/Jest never transform it).

export interface EmbeddedPostgresLogger {
  log(msg: string): void;
  warn(msg: string): void;
}

export interface StartEmbeddedPostgresOptions {
  /** Data directory, e.g. `<projectRoot>/.data/postgres`. Created (and initialised) if missing. */
  dataDir: string;
  /** Where our messages and postgres' ERROR/FATAL/PANIC lines go. Defaults to `console`. */
  log?: EmbeddedPostgresLogger;
  /** `false` deletes the data directory on stop (tests). Defaults to `true`. */
  persistent?: boolean;
  /**
   * Called once postgres' own process (initdb, or the server) runs, or a running server is found:
   * from then on the start mostly waits for that process, and the caller may use this one meanwhile.
   */
  onServerProcess?: () => void;
}

export interface EmbeddedPostgresHandle {
  /** Superuser URL: `postgres://postgres:<password>@127.0.0.1:<port>/postgres`. */
  url: string;
  port: number;
  /** Stops the server if this process started it (no-op when `reused`) and removes the state file. */
  stop(): Promise<void>;
  /** `true` when a server started by another live process on the same data dir was shared. */
  reused: boolean;
}

export declare function startEmbeddedPostgres(
  options: StartEmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle>;

/**
 * Throws an Error naming the first folder (of `folder` and its ancestors) that the `postgres`
 * OS user cannot traverse. Does nothing unless running as root.
 */
export declare function checkReachableByPostgresUser(folder: string): void;
