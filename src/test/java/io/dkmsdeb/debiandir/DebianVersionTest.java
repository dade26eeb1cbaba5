package io.dkmsdeb.debiandir;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class DebianVersionTest {
    @Test
    void ordersAsDpkgDoes() {
        String[] ascending = {"1.0~rc1", "1.0", "1.0-1", "1.0-1.1", "1.0a", "1.0+b1", "1.00.1", "1.1", "1.10", "2", "1:0.1"};
        for (int i = 0; i + 1 < ascending.length; i++) {
            assertThat(DebianVersion.compare(ascending[i], ascending[i + 1])).as(ascending[i] + " < " + ascending[i + 1]).isNegative();
            assertThat(DebianVersion.compare(ascending[i + 1], ascending[i])).as(ascending[i + 1] + " > " + ascending[i]).isPositive();
        }
        assertThat(DebianVersion.compare("1.0-01", "1.0-1")).isZero();
        assertThat(DebianVersion.compare("3.0.3-4~", "3.0.3-4")).isNegative();
        assertThat(DebianVersion.compare("2.1.0.0", "3.0.3")).isNegative();
    }
}
