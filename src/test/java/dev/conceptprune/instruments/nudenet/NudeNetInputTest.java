package dev.conceptprune.instruments.nudenet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.SafetensorsFile;
import org.junit.jupiter.api.Test;

/** The preprocessing equals NudeNet's own (OpenCV resizes, padding quirk, /255) on every fixture image. */
class NudeNetInputTest {
    @Test
    void tensorsFactorsAndPadsEqualNudeNets() {
        try (SafetensorsFile ref = SafetensorsFile.open(NudeNetFixture.TENSORS)) {
            for (NudeNetFixture.Expected e : NudeNetFixture.images()) {
                NudeNetInput input = NudeNetInput.of(e.read(), 320);
                double diff = Fixtures.maxAbsDiff(ref.readFloats(e.stem() + ".input"), input.tensor());
                System.out.println(e.image() + ": max |input - reference| = " + diff);
                assertEquals(0.0, diff, e.image() + " input");
                assertEquals(e.resizeFactor(), input.resizeFactor(), 0.0, e.image() + " resize factor");
                assertEquals(e.padLeft(), input.padLeft(), e.image() + " pad left");
                assertEquals(e.padTop(), input.padTop(), e.image() + " pad top");
            }
        }
    }
}
