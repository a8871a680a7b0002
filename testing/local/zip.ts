/**
 * Zip archives for Lambda artifacts, with yazl (writing) and yauzl (reading), the zip libraries
 * the Serverless Framework itself uses. Entries get a fixed timestamp and mode, so the same bundle
 * always makes the same zip.
 */
import { buffer } from "node:stream/consumers";
import yauzl from "yauzl";
import yazl from "yazl";

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

// The first date DOS time can hold; rw-r--r-- so Lambda can read every file.
const FIXED_MTIME = new Date(1980, 0, 1);
const FILE_MODE = 0o100644;

/** Builds a zip archive holding `entries`, deflated. */
export async function writeZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    zip.addBuffer(entry.data, entry.name, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true });
  }
  zip.end();
  return buffer(zip.outputStream);
}

/** Reads every file entry of a zip archive (CRCs checked). */
export async function readZip(archive: Buffer): Promise<ZipEntry[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(archive, { lazyEntries: true }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  const entries: ZipEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        buffer(stream)
          .then((data) => {
            entries.push({ name: entry.fileName, data });
            zip.readEntry();
          })
          .catch(reject);
      });
    });
    zip.readEntry();
  });
  return entries;
}
