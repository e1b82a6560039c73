package com.skyyrose.hub.privacy;

import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.security.UserService;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The step every LLM vendor call goes through ({@code ProviderCaller.chat}): per provider policy, the messages are
 * pseudonymised ({@code mask}), sent as they are ({@code allow}) or refused when they hold personal data
 * ({@code refuse}). It also opens a request's {@link Pseudonymizer} with the hub's own knowledge: the records the
 * request looked up (attached to the exchange with {@link #remember}), the hub's users, and the shop customers whose
 * e-mail address the text contains.
 */
@Component
public class PersonalDataGuard {

    /** Exchange property: the {@link KnownPersonalData} of records this request looked up. */
    public static final String KNOWN = "hub.privacy.known";
    private static final Logger LOG = LoggerFactory.getLogger(PersonalDataGuard.class);

    /** Thrown by a vendor call whose provider refuses personal data, when the request holds some. */
    public static final class Refused extends RuntimeException {
        private final transient List<String> providers;
        private final transient Map<String, Integer> counts;

        Refused(List<String> providers, Map<String, Integer> counts) {
            super("personal data in the request (" + describe(counts) + ") may not be sent to " + String.join(", ",
                    providers) + " (policy refuse)", null, false, false);
            this.providers = providers;
            this.counts = counts;
        }

        public List<String> providers() {
            return providers;
        }

        public Map<String, Integer> counts() {
            return counts;
        }

        /** The problem document the API answers with: 422, kinds and counts, never the values. */
        public ProblemException problem() {
            return new ProblemException(Problem.of(ProblemType.PERSONAL_DATA_REFUSED, 422, getMessage()
                    + ". Remove the personal data or ask other providers."));
        }
    }

    private final PrivacyProperties props;
    private final PersonalDataDetectors detectors;
    private final ObjectProvider<UserService> users;
    private final ObjectProvider<JdbcTemplate> jdbc;
    private final MeterRegistry meters;
    private volatile KnownPersonalData knownUsers;
    private volatile long knownUsersLoaded;

    public PersonalDataGuard(PrivacyProperties props, ObjectProvider<UserService> users,
            ObjectProvider<JdbcTemplate> jdbc, MeterRegistry meters) {
        this.props = props;
        this.detectors = new PersonalDataDetectors(props.getPhoneRegion());
        this.users = users;
        this.jdbc = jdbc;
        this.meters = meters;
        // loads libphonenumber's metadata now rather than in the first request
        detectors.isPhone("+1 415 555 2671");
    }

    public PrivacyProperties.Policy policy(String providerId) {
        return props.policy(providerId);
    }

    /** Adds a looked-up record's (or parameters') personal fields to the request's known personal data. */
    public static void remember(Exchange exchange, Object record) {
        if (record == null) {
            return;
        }
        KnownPersonalData known = exchange.getProperty(KNOWN, KnownPersonalData.class);
        if (known == null) {
            known = new KnownPersonalData();
            exchange.setProperty(KNOWN, known);
        }
        known.addRecord(record);
    }

    /**
     * A request's pseudonymizer: the known personal data of the exchange (may be null), the hub's users, and the shop
     * customers whose e-mail appears in {@code texts}.
     */
    public Pseudonymizer open(Exchange exchange, Collection<String> texts) {
        KnownPersonalData known = new KnownPersonalData();
        if (exchange != null) {
            known.addAll(exchange.getProperty(KNOWN, KnownPersonalData.class));
        }
        known.addAll(knownUsers());
        known.addAll(customersNamedIn(texts));
        return new Pseudonymizer(detectors, known);
    }

    /** A pseudonymizer with the pattern detectors and the hub's users only (a call outside a request's context). */
    public Pseudonymizer open() {
        return open(null, List.of());
    }

    /**
     * The messages one provider may receive: masked, as they are, or none ({@link Refused}) when its policy refuses
     * personal data and they hold some.
     */
    public List<ChatMessage> outbound(String providerId, List<ChatMessage> messages, Pseudonymizer session) {
        PrivacyProperties.Policy policy = props.policy(providerId);
        if (policy == PrivacyProperties.Policy.ALLOW) {
            return messages;
        }
        if (policy == PrivacyProperties.Policy.REFUSE) {
            for (ChatMessage m : messages) {
                String text = text(m);
                if (text != null && !session.mask(text).equals(text)) {
                    throw new Refused(List.of(providerId), session.counts());
                }
            }
            return messages;
        }
        List<ChatMessage> masked = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            masked.add(mask(m, session));
        }
        return masked;
    }

    /** Refuses the request up front when a provider of its panel refuses personal data and the texts hold some. */
    public void checkPanel(List<String> panel, Pseudonymizer session) {
        if (!session.found()) {
            return;
        }
        List<String> refusing = panel.stream()
                .filter(id -> props.policy(id) == PrivacyProperties.Policy.REFUSE).toList();
        if (!refusing.isEmpty()) {
            throw new Refused(refusing, session.counts());
        }
    }

    /** What a result and a run trace record: kinds and counts masked, and each panel provider's policy. */
    public Map<String, Object> summary(List<String> panel, Pseudonymizer session) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Integer> counts = session.counts();
        out.put("masked", counts);
        out.put("total", counts.values().stream().mapToInt(Integer::intValue).sum());
        Map<String, String> policies = new LinkedHashMap<>();
        panel.forEach(id -> policies.put(id, props.policy(id).key()));
        out.put("policies", policies);
        counts.forEach((kind, n) -> meters.counter("hub.privacy.masked", "kind", kind).increment(n));
        return out;
    }

    private static ChatMessage mask(ChatMessage m, Pseudonymizer session) {
        if (m instanceof SystemMessage s) {
            return SystemMessage.from(session.mask(s.text()));
        }
        if (m instanceof UserMessage u) {
            if (u.hasSingleText()) {
                return UserMessage.from(session.mask(u.singleText()));
            }
            List<Content> contents = new ArrayList<>();
            for (Content c : u.contents()) {
                contents.add(c instanceof TextContent t ? TextContent.from(session.mask(t.text())) : c);
            }
            return UserMessage.from(contents);
        }
        if (m instanceof AiMessage a && a.text() != null && !a.hasToolExecutionRequests()) {
            return AiMessage.from(session.mask(a.text()));
        }
        if (m instanceof ToolExecutionResultMessage t) {
            return ToolExecutionResultMessage.from(t.id(), t.toolName(), session.mask(t.text()));
        }
        return m;
    }

    private static String text(ChatMessage m) {
        if (m instanceof SystemMessage s) {
            return s.text();
        }
        if (m instanceof UserMessage u) {
            StringBuilder b = new StringBuilder();
            u.contents().forEach(c -> b.append(c instanceof TextContent t ? t.text() + "\n" : ""));
            return b.toString();
        }
        if (m instanceof AiMessage a) {
            return a.text();
        }
        if (m instanceof ToolExecutionResultMessage t) {
            return t.text();
        }
        return null;
    }

    /** The hub's users (names and e-mails), reloaded at most every {@code known-users-refresh}. */
    KnownPersonalData knownUsers() {
        if (!props.isKnownUsers()) {
            return null;
        }
        long now = System.nanoTime();
        KnownPersonalData k = knownUsers;
        if (k != null && now - knownUsersLoaded < props.getKnownUsersRefresh().toNanos()) {
            return k;
        }
        synchronized (this) {
            if (knownUsers != null && now - knownUsersLoaded < props.getKnownUsersRefresh().toNanos()) {
                return knownUsers;
            }
            KnownPersonalData fresh = new KnownPersonalData();
            UserService service = users.getIfAvailable();
            try {
                if (service != null) {
                    for (UserService.User u : service.list(1000, 0)) {
                        fresh.add(PersonalDataKind.EMAIL, u.email());
                        fresh.addWhole(PersonalDataKind.PERSON, u.displayName());
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("Known users not loaded (names are then masked by the detectors only): {}", e.toString());
            }
            knownUsers = fresh;
            knownUsersLoaded = now;
            return fresh;
        }
    }

    /** First names of the shop customers (the hub's copy) whose e-mail address appears in the texts. */
    KnownPersonalData customersNamedIn(Collection<String> texts) {
        Set<String> emails = new LinkedHashSet<>();
        for (String t : texts) {
            if (t != null && t.indexOf('@') >= 0) {
                Matcher m = PersonalDataDetectors.EMAIL.matcher(t);
                while (m.find() && emails.size() < 50) {
                    emails.add(m.group().toLowerCase(Locale.ROOT));
                }
            }
        }
        KnownPersonalData out = new KnownPersonalData();
        JdbcTemplate db = jdbc.getIfAvailable();
        if (emails.isEmpty() || db == null) {
            return out;
        }
        try {
            String in = String.join(",", java.util.Collections.nCopies(emails.size(), "?"));
            db.query("SELECT first_name FROM wc_customer WHERE NOT deleted AND lower(email) IN (" + in + ")",
                    rs -> {
                        out.add(PersonalDataKind.PERSON, rs.getString(1));
                    }, emails.toArray());
        } catch (RuntimeException e) {
            LOG.warn("Shop customers not looked up for masking: {}", e.toString());
        }
        return out;
    }

    private static String describe(Map<String, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((k, n) -> parts.add(n + " " + k));
        return parts.isEmpty() ? "personal data" : String.join(", ", parts);
    }
}
