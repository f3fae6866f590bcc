package dev.conceptprune.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryCheckTest {
    @Test
    void tooLargeModelFailsWithRequiredAndAvailable() {
        MemoryCheck.InsufficientMemoryException e = assertThrows(MemoryCheck.InsufficientMemoryException.class,
                () -> MemoryCheck.require(8L << 30, 2L << 30, "the model X"));
        assertTrue(e.getMessage().contains("8.0 GiB") && e.getMessage().contains("2.0 GiB"), e.getMessage());
        assertDoesNotThrow(() -> MemoryCheck.require(1L << 30, 2L << 30, "the model X"));
        assertTrue(ProcessMemory.availableBytes() > 0, "this Linux machine reports MemAvailable");
    }

    @Test
    void weightsBeyondTheJvmsDirectBufferCapNameTheCapAndTheRemedy() {
        MemoryCheck.InsufficientMemoryException e = assertThrows(MemoryCheck.InsufficientMemoryException.class,
                () -> MemoryCheck.requireDirect(13L << 30, 6L << 30, "the model X"));
        assertTrue(e.getMessage().contains("13.0 GiB") && e.getMessage().contains("6.0 GiB")
                && e.getMessage().contains("-XX:MaxDirectMemorySize=20g"), e.getMessage());
        assertDoesNotThrow(() -> MemoryCheck.requireDirect(5L << 30, 6L << 30, "the model X"));
        assertTrue(ProcessMemory.directLimitBytes() > 0, "the JVM reports its direct buffer cap");
    }
}
