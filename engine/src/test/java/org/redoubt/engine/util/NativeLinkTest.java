package org.redoubt.engine.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

class NativeLinkTest {
    @Test
    void linksCLibraryFunctionsOnThisJdk() throws Throwable {
        // The build runs on JDK >= 22 with native access enabled (surefire's argLine).
        MethodHandle abs = NativeLink.downcall("abs", NativeLink.Type.INT, NativeLink.Type.INT);
        assertThat(abs).isNotNull();
        assertThat((int) abs.invokeExact(-5)).isEqualTo(5);
        MethodHandle pow = NativeLink.downcall("pow", NativeLink.Type.DOUBLE, NativeLink.Type.DOUBLE, NativeLink.Type.DOUBLE);
        assertThat((double) pow.invokeExact(2.0, 10.0)).isEqualTo(1024.0);
    }

    @Test
    void anUnknownSymbolIsNull() {
        assertThat(NativeLink.downcall("no_such_function_in_libc_x", NativeLink.Type.INT)).isNull();
    }
}
