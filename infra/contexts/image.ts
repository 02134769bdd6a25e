/**
 * The image context as the runtime serves it: one aggregate type, the image (stream
 * `image-<id>`), on `weft.cmd.image.*`, with the codecs of `weft.image.v1`. Bytes never pass
 * through here: the gateway stores them and records only their digests and location.
 */
import {
  imageCommandTypes,
  imageDecider,
  imageEventTypes,
  imageStream,
  type ImageCommand,
  type ImageEvent,
  type ImageRejection,
  type ImageState,
} from "@weft/domain/image";
import { payloadCodec } from "@weft/proto";
import type { AggregateModule } from "../runtime/aggregateModule.ts";

export const imageCommandCodec = payloadCodec<ImageCommand>("weft.image.v1", imageCommandTypes);
export const imageEventCodec = payloadCodec<ImageEvent>("weft.image.v1", imageEventTypes);

export const imageModule: AggregateModule<ImageCommand, ImageEvent, ImageState, ImageRejection> = {
  context: "image",
  decider: imageDecider,
  streamFor: (command) => imageStream(command.data.imageId),
  commands: imageCommandCodec,
  events: imageEventCodec,
};
