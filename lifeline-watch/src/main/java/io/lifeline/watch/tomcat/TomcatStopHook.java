package io.lifeline.watch.tomcat;

import io.lifeline.watch.StopHook;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;

/**
 * Tomcat 10.1 and 11: a lifecycle listener on the Tomcat server, run at {@code before_stop}, before the server's
 * services pause their connectors (a paused connector times out every async request at once).
 *
 * <p>Reached through Tomcat's internals (not a supported API): the servlet context facade → its
 * {@code ApplicationContext} → the {@code StandardContext} → host → engine → service → server.</p>
 */
public final class TomcatStopHook implements StopHook {

    @Override
    public AutoCloseable install(ServletContext context, Runnable drain) throws ReflectiveOperationException {
        ClassLoader loader = TomcatStopHook.class.getClassLoader();
        Class<?> container = Class.forName("org.apache.catalina.Container", false, loader);
        Class<?> engine = Class.forName("org.apache.catalina.Engine", false, loader);
        Class<?> service = Class.forName("org.apache.catalina.Service", false, loader);
        Class<?> lifecycle = Class.forName("org.apache.catalina.Lifecycle", false, loader);
        Class<?> listenerType = Class.forName("org.apache.catalina.LifecycleListener", false, loader);
        Class<?> event = Class.forName("org.apache.catalina.LifecycleEvent", false, loader);

        Object applicationContext = field(Class.forName("org.apache.catalina.core.ApplicationContextFacade", false,
                loader), "context").get(context);
        Object standardContext = field(applicationContext.getClass(), "context").get(applicationContext);
        Object host = container.getMethod("getParent").invoke(standardContext);
        Object engineInstance = container.getMethod("getParent").invoke(host);
        Object serviceInstance = engine.getMethod("getService").invoke(engineInstance);
        Object server = service.getMethod("getServer").invoke(serviceInstance);

        String beforeStop = (String) lifecycle.getField("BEFORE_STOP_EVENT").get(null);
        Object listener = Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType},
                (proxy, method, args) -> {
                    if (method.getName().equals("lifecycleEvent")
                            && beforeStop.equals(event.getMethod("getType").invoke(args[0]))) {
                        drain.run();
                    } else if (method.getName().equals("equals")) {
                        return proxy == args[0];
                    } else if (method.getName().equals("hashCode")) {
                        return System.identityHashCode(proxy);
                    } else if (method.getName().equals("toString")) {
                        return "Lifeline's drain at Tomcat's before_stop";
                    }
                    return null;
                });
        lifecycle.getMethod("addLifecycleListener", listenerType).invoke(server, listener);
        return () -> lifecycle.getMethod("removeLifecycleListener", listenerType).invoke(server, listener);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
