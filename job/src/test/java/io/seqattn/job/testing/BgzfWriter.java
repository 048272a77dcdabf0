package io.seqattn.job.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes BGZF (SAM/BAM specification §4.1) with a chosen block size, so tests can put block
 * boundaries everywhere: inside lines, k-mers, N runs and headers. Real bgzip uses 65,280-byte
 * blocks; BgzfTest checks the reader against a file bgzip wrote, too.
 */
public final class BgzfWriter {
  /** The 28-byte empty block every BGZF file ends with. */
  private static final byte[] EOF_BLOCK = {31, -117, 8, 4, 0, 0, 0, 0, 0, -1, 6, 0, 66, 67, 2, 0, 27, 0, 3, 0, 0, 0,
      0, 0, 0, 0, 0, 0};

  private BgzfWriter() {}

  public static Path write(byte[] data, int blockSize, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target)) {
      byte[] deflated = new byte[2 * blockSize + 1024];
      for (int from = 0; from < data.length; from += blockSize) {
        int len = Math.min(blockSize, data.length - from);
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data, from, len);
        deflater.finish();
        int clen = deflater.deflate(deflated);
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(data, from, len);
        int bsize = 18 + clen + 8;
        ByteBuffer block = ByteBuffer.allocate(bsize).order(ByteOrder.LITTLE_ENDIAN);
        block.put(new byte[] {31, -117, 8, 4, 0, 0, 0, 0, 0, -1}).putShort((short) 6)
            .put((byte) 'B').put((byte) 'C').putShort((short) 2).putShort((short) (bsize - 1))
            .put(deflated, 0, clen).putInt((int) crc.getValue()).putInt(len);
        out.write(block.array());
      }
      out.write(EOF_BLOCK);
    }
    return target;
  }
}
