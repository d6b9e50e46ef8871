package io.chatvector.spark;

/** A written shard as recorded in the provenance: its file, size and CRC32C. */
public record ShardResult(String fileName, long bytes, String crc32c) {
}
