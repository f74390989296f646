package io.lifeline.tcp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/** The C library's {@code setsockopt} and {@code getsockopt}, bound once through JNA's direct mapping. */
final class LibC {

    static final int SOL_SOCKET = 1;
    static final int SO_ERROR = 4;
    static final int IPPROTO_TCP = 6;
    /** {@code linux/tcp.h}. */
    static final int TCP_INFO = 11;
    /** {@code linux/tcp.h}. */
    static final int TCP_USER_TIMEOUT = 18;
    /** {@code linux/tcp.h}, Linux 3.12+. */
    static final int TCP_NOTSENT_LOWAT = 25;

    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int setsockopt(int fd, int level, int name, int[] value, int length) throws LastErrorException;

    static native int getsockopt(int fd, int level, int name, int[] value, int[] length) throws LastErrorException;

    static native int getsockopt(int fd, int level, int name, byte[] value, int[] length) throws LastErrorException;
}
