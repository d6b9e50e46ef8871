package io.chatvector.merge;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chatvector.format.DType;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelWarmUpTest {
  @Test
  void chunksSwitchToTheVectorLoopsOnceTheyAreCompiled() throws InterruptedException {
    assumeTrue(Lanes.fastest() instanceof VectorLanes, "the JVM has no jdk.incubator.vector");
    Operand operand = new Operand("f", DType.F16, ByteBuffer.allocate(2));
    List<Term> terms = List.of(Term.of(1, operand));
    long deadline = System.nanoTime() + 60_000_000_000L;
    Lanes lanes = KernelWarmUp.lanes(DType.F16, operand, terms);
    while (lanes instanceof ScalarLanes && System.nanoTime() < deadline) {
      Thread.sleep(20);
      lanes = KernelWarmUp.lanes(DType.F16, operand, terms);
    }
    assertInstanceOf(VectorLanes.class, lanes);
  }
}
