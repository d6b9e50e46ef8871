package io.chatvector.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SegmentSizingTest {
  private static final long GB = 1_000_000_000L;

  @Test
  void spreadsTheOutputEvenlyOverTheSlotsInWavesOfAtMostOneGibibyteASegment() {
    // A 1B model's 1.88 GB on 2 cores: one segment a core.
    assertEquals(940_648_680L, SegmentSizing.forOutput(1_881_297_360L, 2));
    // 16 GB on 2 cores: 8 waves of 2 segments of 1 GB, not 15 of 1 GiB and a short one.
    assertEquals(1_003_750_000L, SegmentSizing.forOutput(16_060_000_000L, 2));
    // A large cluster gets a segment per slot, but none under 64 MiB.
    assertEquals(160_600_000L, SegmentSizing.forOutput(16_060_000_000L, 100));
    assertEquals(SegmentSizing.SMALLEST, SegmentSizing.forOutput(GB, 1000));
    assertEquals(SegmentSizing.SMALLEST, SegmentSizing.forOutput(0, 2));
    assertEquals(SegmentSizing.UNKNOWN_SLOTS, SegmentSizing.forOutput(16 * GB, 0));
  }
}
