/**
 * `/v2/images/{id}/file`: the image's bytes. An upload is streamed, never held in memory: the body
 * goes through MD5 and SHA-512 into `<dataDir>/images/<id>.partial` and, once whole, is renamed to
 * `<dataDir>/images/<id>` before `CompleteImageUpload` records its size and digests, so an active
 * image always has its whole file. Any failure (the client going away, the size cap, a full disk)
 * aborts: the partial file goes and the image is back to queued, serving nothing. A download
 * streams the file with Glance's headers, ranges included.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Hono, type Context } from "hono";
import { getImage } from "@weft/projections/image";
import { HttpFault } from "../http/faults.ts";
import { runImageCommand, sendImageCommand } from "./commandRunner.ts";
import type { ImageDeps, ImageEnv } from "./context.ts";
import { rejectionFault } from "../http/commands.ts";
import { imageRejectionStatus } from "./faults.ts";
import { callerIsAdmin, enforceImage, visibleImage } from "./policy.ts";

const OS_HASH_ALGO = "sha512";

class ImageTooLarge extends Error {}

interface Received {
  readonly sizeBytes: number;
  readonly checksum: string;
  readonly osHashValue: string;
}

const tooLarge = (cap: number) => new HttpFault(413, `The incoming image is too large: the limit is ${cap} bytes.`);

/** Streams `body` to `path`, hashing and counting on the way; fails past `cap` bytes. */
const receive = async (body: ReadableStream<Uint8Array> | null, path: string, cap: number): Promise<Received> => {
  const md5 = createHash("md5");
  const sha512 = createHash(OS_HASH_ALGO);
  let sizeBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sizeBytes += chunk.byteLength;
      if (sizeBytes > cap) return done(new ImageTooLarge());
      md5.update(chunk);
      sha512.update(chunk);
      done(null, chunk);
    },
  });
  const source = body === null ? Readable.from([]) : Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
  // `flush` syncs the file before it is closed: the rename that follows must not outlive its data.
  await pipeline(source, meter, createWriteStream(path, { flush: true }));
  return { sizeBytes, checksum: md5.digest("hex"), osHashValue: sha512.digest("hex") };
};

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` within `size`; undefined when absent, "unsatisfiable" when out of bounds. */
const byteRange = (header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined => {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === "" && match[2] === "")) return undefined;
  const [start, end] = match[1] === "" ? [size - Number(match[2]), size - 1] : [Number(match[1]), match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1)];
  return start < 0 || start > end || start >= size ? "unsatisfiable" : { start, end };
};

export const fileRoutes = (deps: ImageDeps) => {
  const found = (c: Context<ImageEnv>) => visibleImage(getImage(deps.images(), c.req.param("imageId") ?? ""), c.get("caller"), c.req.param("imageId") ?? "");

  return new Hono<ImageEnv>()
    .put("/:imageId/file", async (c) => {
      const image = found(c);
      enforceImage(c.get("caller"), "upload_image", image);
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/octet-stream") throw new HttpFault(415, `Content-Type must be application/octet-stream, not '${type}'.`);
      if (Number(c.req.header("content-length") ?? "NaN") > deps.sizeCap) throw tooLarge(deps.sizeCap);
      const imageId = image.id;
      // Queued to saving: the aggregate lets one upload in at a time, so the partial file is ours alone.
      await runImageCommand(deps, c, { type: "StageImageUpload", data: { imageId } });
      await mkdir(join(deps.dataDir, "images"), { recursive: true });
      const location = `images/${imageId}`;
      const partial = join(deps.dataDir, `${location}.partial`);
      let received: Received;
      try {
        received = await receive(c.req.raw.body, partial, deps.sizeCap);
        await rename(partial, join(deps.dataDir, location));
      } catch (error) {
        await rm(partial, { force: true });
        await sendImageCommand(deps, c, { type: "AbortImageUpload", data: { imageId } });
        if (error instanceof ImageTooLarge) throw tooLarge(deps.sizeCap);
        throw new HttpFault(400, `The image data could not be received: ${(error as Error).message}`);
      }
      // Should this fail with a 503 the command may still have been applied, so the file stays;
      // were it not, the image stays saving and its file is never served.
      const completed = await sendImageCommand(deps, c, {
        type: "CompleteImageUpload",
        data: { imageId, ...received, osHashAlgo: OS_HASH_ALGO, location },
      });
      if (completed.kind === "rejected") {
        await rm(join(deps.dataDir, location), { force: true });
        await sendImageCommand(deps, c, { type: "AbortImageUpload", data: { imageId } });
        if (completed.tag === "ImageNotFound") {
          throw new HttpFault(410, `Image ${imageId} could not be found after upload. The image may have been deleted during the upload.`);
        }
        throw rejectionFault(imageRejectionStatus, completed);
      }
      return c.body(null, 204);
    })
    .get("/:imageId/file", async (c) => {
      const image = found(c);
      if (image.status === "deactivated" && !callerIsAdmin(c.get("caller"))) {
        throw new HttpFault(403, "The requested image has been deactivated. Image data download is forbidden.");
      }
      // Glance answers an image without data with 204 No Content.
      if (image.location === null || image.size === null) return c.body(null, 204);
      const path = join(deps.dataDir, image.location);
      if (!(await stat(path).then((s) => s.isFile(), () => false))) return c.body(null, 204);
      const range = byteRange(c.req.header("range"), image.size);
      if (range === "unsatisfiable") throw new HttpFault(416, `Requested range not satisfiable: the image is ${image.size} bytes.`, { "Content-Range": `bytes */${image.size}` });
      const { start, end } = range ?? { start: 0, end: image.size - 1 };
      c.header("Content-Type", "application/octet-stream");
      c.header("Content-MD5", image.checksum ?? "");
      c.header("Content-Length", String(Math.max(0, end - start + 1)));
      if (range !== undefined) c.header("Content-Range", `bytes ${start}-${end}/${image.size}`);
      if (image.size === 0) return c.body(new Uint8Array(0), 200);
      const stream = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>;
      return c.body(stream, range === undefined ? 200 : 206);
    });
};
