package io.lifeline.subscriber;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The {@link VarHandle} of a field of the class a lookup belongs to, for atomic updates without an atomic object. */
final class Fields {

    private Fields() {
    }

    /** @throws ExceptionInInitializerError when there is no such field: a mistake in the class itself */
    static VarHandle handle(MethodHandles.Lookup lookup, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
