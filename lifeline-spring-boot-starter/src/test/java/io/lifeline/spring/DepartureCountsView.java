package io.lifeline.spring;

import io.lifeline.watch.servlet.Departure;
import io.lifeline.watch.servlet.DepartureFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/** The counts of the application's departure filter, as a test reads them. */
record DepartureCountsView(DepartureFilter filter) {

    @SuppressWarnings("unchecked")
    static DepartureCountsView of(RunningApp app) {
        return new DepartureCountsView(((FilterRegistrationBean<DepartureFilter>) app.bean("lifelineDepartureFilter",
                FilterRegistrationBean.class)).getFilter());
    }

    long departed(Departure departure) {
        return filter.counts().departed(departure);
    }
}
