package io.lifeline.spring;

import io.lifeline.watch.servlet.Departure;
import io.lifeline.watch.servlet.DepartureFilter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Registers the {@link DepartureFilter} in a servlet web application, ahead of every other filter, for
 * {@code REQUEST} and {@code ASYNC} dispatches: an {@code SseEmitter} or {@code ResponseBodyEmitter} whose client
 * leaves then runs its {@code onError} (with a {@link DepartureException}, or Spring's exception caused by one: see
 * there), then its {@code onCompletion}. Off with {@code lifeline.watch.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "lifeline.watch", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(LifelineWatchProperties.class)
public class LifelineWatchAutoConfiguration {

    /** The filter's name in the servlet context. */
    public static final String FILTER_NAME = "lifelineDepartureFilter";

    @Bean
    public FilterRegistrationBean<DepartureFilter> lifelineDepartureFilter(LifelineWatchProperties properties) {
        FilterRegistrationBean<DepartureFilter> registration =
                new FilterRegistrationBean<>(new SpringDepartureFilter(properties.getTcpUserTimeout()));
        registration.setName(FILTER_NAME);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setAsyncSupported(true);
        registration.addUrlPatterns("/*");
        return registration;
    }

    /** Counters of departures by reason and of event streams no watch could see, where Micrometer is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {

        @Bean
        MeterBinder lifelineDepartureMeters(FilterRegistrationBean<DepartureFilter> lifelineDepartureFilter) {
            DepartureFilter filter = lifelineDepartureFilter.getFilter();
            return registry -> {
                for (Departure departure : Departure.values()) {
                    FunctionCounter.builder("lifeline.watch.departures", filter,
                                    f -> f.counts().departed(departure))
                            .description("Clients of event streams that left, by how they left")
                            .tag("reason", departure.label())
                            .register(registry);
                }
                FunctionCounter.builder("lifeline.watch.unwatched", filter, f -> f.counts().unwatched()
                                + f.counts().committedWithoutClose())
                        .description("Event streams no departure watch could see")
                        .register(registry);
            };
        }
    }
}
