package io.lifeline.topic;

import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.LoadingCache;
import java.util.Optional;

/**
 * The protocol's topic selectors: {@code *} matches every topic, a selector matches itself exactly, and a selector
 * that is a URI template also matches every topic the template can expand to (see {@link UriTemplate}). A selector
 * with a brace that is not a valid template is a plain string.
 *
 * <p>Compiled templates are cached, bounded, since the same few selectors are matched against every update.</p>
 */
public final class TemplateTopicMatcher implements TopicMatcher {

    private final LoadingCache<String, Optional<UriTemplate>> templates;

    public TemplateTopicMatcher(int cachedTemplates) {
        this.templates = CacheBuilder.newBuilder().maximumSize(cachedTemplates)
                .build(CacheLoader.from(TemplateTopicMatcher::compile));
    }

    private static Optional<UriTemplate> compile(String selector) {
        try {
            return Optional.of(UriTemplate.parse(selector));
        } catch (IllegalArgumentException notATemplate) {
            return Optional.empty();
        }
    }

    @Override
    public boolean matches(String selector, String topic) {
        if (WILDCARD.equals(selector) || selector.equals(topic)) {
            return true;
        }
        if (selector.indexOf('{') < 0) {
            return false;
        }
        return templates.getUnchecked(selector).map(t -> t.matches(topic)).orElse(false);
    }

    @Override
    public boolean isExact(String selector) {
        return !WILDCARD.equals(selector)
                && (selector.indexOf('{') < 0 || templates.getUnchecked(selector).isEmpty());
    }
}
