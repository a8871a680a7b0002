/**
 * The record `--undo` reads: per account, the runs that changed something, each with the values
 * it replaced. It holds SIDs, URLs and event types only, never a credential.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export type RecordedChange =
  | {
      readonly kind: "messaging-service-callback";
      readonly sid: string;
      readonly previous: string | null;
      readonly set: string;
    }
  | {
      readonly kind: "phone-number-callback";
      readonly sid: string;
      readonly previous: { readonly url: string | null; readonly method: string | null };
      readonly set: { readonly url: string; readonly method: string };
    }
  | { readonly kind: "sink-created"; readonly sid: string; readonly destination: string }
  | {
      readonly kind: "subscription-created";
      readonly sid: string;
      readonly sinkSid: string;
      readonly types: readonly string[];
    }
  | {
      readonly kind: "subscribed-events-added";
      readonly subscriptionSid: string;
      readonly types: readonly string[];
    };

export interface RecordedRun {
  /** When the run started (ISO 8601). */
  readonly at: string;
  readonly url: string;
  /** In the order they were made; `--undo` reverts them last first. */
  readonly changes: readonly RecordedChange[];
}

export interface ConnectRecord {
  readonly version: 1;
  readonly accountSid: string;
  /** Oldest first; `--undo` reverts the last one. */
  readonly runs: readonly RecordedRun[];
}

/** Where records live and how they are read and written. */
export interface RecordStore {
  /** Where the account's record is (for messages). */
  where(accountSid: string): string;
  read(accountSid: string): Promise<ConnectRecord | undefined>;
  /** Writes it; a record with no runs removes the file. */
  write(record: ConnectRecord): Promise<void>;
}

/** The folder, under the working directory, that holds the records. */
export const RECORD_FOLDER = ".twilio-status-relay";

/** `<dir>/.twilio-status-relay/connect-<AccountSid>.json`. */
export function recordPath(dir: string, accountSid: string): string {
  return join(dir, RECORD_FOLDER, `connect-${accountSid}.json`);
}

/** Records as JSON files under `dir` (the working directory for `npm run connect`). */
export function fileRecordStore(dir: string): RecordStore {
  return {
    where: (accountSid) => recordPath(dir, accountSid),
    async read(accountSid) {
      const path = recordPath(dir, accountSid);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      const record = JSON.parse(text) as ConnectRecord;
      if (record.version !== 1 || record.accountSid !== accountSid || !Array.isArray(record.runs)) {
        throw new Error(`${path} is not a record npm run connect wrote for ${accountSid}`);
      }
      return record;
    },
    async write(record) {
      const path = recordPath(dir, record.accountSid);
      if (record.runs.length === 0) {
        await rm(path, { force: true });
        return;
      }
      await mkdir(dirname(path), { recursive: true });
      // Written whole and then renamed: an interrupted run never leaves half a record.
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, path);
    },
  };
}

/** A record store in memory, for tests and for `--dry-run`. */
export function memoryRecordStore(): RecordStore & {
  readonly records: Map<string, ConnectRecord>;
} {
  const records = new Map<string, ConnectRecord>();
  return {
    records,
    where: (accountSid) => `(memory) ${accountSid}`,
    read: async (accountSid) => records.get(accountSid),
    async write(record) {
      if (record.runs.length === 0) records.delete(record.accountSid);
      else records.set(record.accountSid, structuredClone(record));
    },
  };
}
