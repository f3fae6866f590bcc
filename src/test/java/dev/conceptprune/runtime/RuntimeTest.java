package dev.conceptprune.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class RuntimeTest {
    @Test
    void defaultIsCpuFloat32WithoutGradients() {
        Runtime r = Runtime.cpu();
        assertEquals(Device.cpu(), r.device());
        assertEquals(DataType.FLOAT32, r.dtype());
        assertFalse(r.gradients());
        assertTrue(r.withGradients(true).gradients());
        try (NDManager m = r.newManager(); NDManager host = Runtime.newHostManager()) {
            assertEquals(Device.cpu(), m.getDevice());
            assertEquals(Device.cpu(), host.getDevice());
        }
    }

    @Test
    void otherComputeDtypesAreRefusedNamingTheSupportedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runtime.cpu().withDtype(DataType.FLOAT64));
        assertTrue(e.getMessage().contains("float32, bf16 or fp16"), e.getMessage());
    }

    @Test
    void threadCountMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> Runtime.setThreads(0));
    }
}
