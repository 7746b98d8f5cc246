package dev.arbooth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceTest {
    @Test
    void factoriesDescribeTheRequest() {
        assertThat(Device.auto().kind()).isEqualTo(Device.Kind.AUTO);
        assertThat(Device.auto()).hasToString("auto");
        assertThat(Device.cuda(1)).hasToString("cuda:1");
        assertThat(Device.cuda(1).cudaDeviceId()).isEqualTo(1);
        assertThat(Device.cpu()).hasToString("cpu");
        assertThat(Device.cpu().cpuThreads()).isZero();
        assertThat(Device.cpu(3)).hasToString("cpu(3 threads)");
        assertThat(Device.cpu(3).cpuThreads()).isEqualTo(3);
        assertThat(Device.auto().withCpuThreads(2)).hasToString("auto(2 threads)");
        assertThat(Device.cpu(3)).isEqualTo(Device.cpu().withCpuThreads(3)).isNotEqualTo(Device.cpu(2));
        assertThat(Device.cuda(0)).isEqualTo(Device.cuda(0)).hasSameHashCodeAs(Device.cuda(0));
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> Device.cuda(-1)).hasMessageContaining("CUDA device id must be at least 0");
        assertThatThrownBy(() -> Device.cpu(0)).hasMessageContaining("at least 1 thread");
        assertThatThrownBy(() -> Device.auto().withCpuThreads(-2)).hasMessageContaining("at least 1");
    }

    @Test
    void resolvedIsConsistent() {
        Device.Resolved r = new Device.Resolved(Device.auto(), Device.Kind.CPU, -1, 0, "why");
        assertThat(r.isCuda()).isFalse();
        assertThatThrownBy(() -> new Device.Resolved(Device.auto(), Device.Kind.AUTO, -1, 0, "x"))
                .hasMessageContaining("CUDA or CPU");
        assertThatThrownBy(() -> new Device.Resolved(Device.auto(), Device.Kind.CPU, 0, 0, "x"))
                .hasMessageContaining("does not fit");
    }
}
