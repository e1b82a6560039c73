package com.skyyrose.hub.gdpr;

import com.skyyrose.hub.gdpr.PersonalDataInventory.RedisFamily;
import com.skyyrose.hub.security.SessionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** The person's keys in Redis, by the key families of {@link PersonalDataInventory#redisFamilies()}. */
@Component
public class PersonalKeys {

    private static final String SESSION = "hub:auth:session:";
    private static final String USER_SESSIONS = "hub:auth:user-sessions:";

    private final StringRedisTemplate redis;
    private final SessionStore sessions;

    public PersonalKeys(StringRedisTemplate redis, SessionStore sessions) {
        this.redis = redis;
        this.sessions = sessions;
    }

    /** The user's live sessions for an export: when each started and when it ends; never ids or token hashes. */
    public List<PersonalRecords.Found> sessions(DataSubject subject) {
        List<PersonalRecords.Found> out = new ArrayList<>();
        if (subject.userId() == null) {
            return out;
        }
        Set<String> sids = redis.opsForSet().members(USER_SESSIONS + subject.userId());
        for (String sid : sids == null ? Set.<String>of() : sids) {
            Map<Object, Object> fields = redis.opsForHash().entries(SESSION + sid);
            if (fields.isEmpty()) {
                continue;
            }
            Long ttl = redis.getExpire(SESSION + sid);
            Map<String, Object> record = new LinkedHashMap<>();
            Object created = fields.get("created");
            record.put("started_at", created == null ? null : Instant.ofEpochMilli(Long.parseLong(created.toString()))
                    .toString());
            record.put("role", fields.get("role"));
            record.put("ends_at", ttl == null || ttl < 0 ? null : Instant.now().plusSeconds(ttl).toString());
            out.add(new PersonalRecords.Found("redis:" + SESSION + "{session}", "belongs to the person", record));
        }
        return out;
    }

    /** What erasure did to one key family. */
    public record KeyOutcome(String family, String category, String action, int keys) {
    }

    public List<KeyOutcome> erase(DataSubject subject) {
        List<KeyOutcome> out = new ArrayList<>();
        List<String> identifiers = subject.identifiers();
        boolean sessionsDone = false;
        for (RedisFamily family : PersonalDataInventory.redisFamilies()) {
            String category = family.category() == null ? null : family.category().key();
            switch (family.erasure()) {
                case SESSIONS -> {
                    if (!sessionsDone && subject.userId() != null) {
                        out.add(new KeyOutcome(family.pattern(), category, "deleted",
                                sessions.deleteAll(subject.userId())));
                        sessionsDone = true;
                    }
                }
                case BY_USER_ID -> {
                    if (subject.userId() != null) {
                        out.add(new KeyOutcome(family.pattern(), category, "deleted",
                                deleteMatching(family.pattern().replace("{user}", subject.userId())
                                        .replaceAll("\\{[a-z]+}", "*"))));
                    }
                }
                case BY_ACCOUNT_HASH -> out.add(new KeyOutcome(family.pattern(), category, "deleted",
                        deleteMatching(family.pattern().replace("{account}", subject.subjectHash())
                                .replaceAll("\\{[a-z]+}", "*"))));
                case SCAN_VALUES -> out.add(new KeyOutcome(family.pattern(), category, "deleted",
                        deleteValuesNaming(family.glob(), identifiers)));
                case EXPIRES -> {
                    // not linkable to the person (IP address, key id) and gone within minutes
                }
                case NOT_PERSONAL -> {
                    // a setting of the hub
                }
            }
        }
        return out;
    }

    private int deleteMatching(String glob) {
        List<String> keys = scan(glob);
        if (keys.isEmpty()) {
            return 0;
        }
        Long n = redis.delete(keys);
        return n == null ? 0 : n.intValue();
    }

    private int deleteValuesNaming(String glob, List<String> identifiers) {
        int n = 0;
        for (String key : scan(glob)) {
            String value = redis.opsForValue().get(key);
            if (value != null && namesAny(value.toLowerCase(Locale.ROOT), identifiers)
                    && Boolean.TRUE.equals(redis.delete(key))) {
                n++;
            }
        }
        return n;
    }

    private static boolean namesAny(String text, List<String> identifiers) {
        return identifiers.stream().anyMatch(text::contains);
    }

    private List<String> scan(String glob) {
        List<String> keys = new ArrayList<>();
        try (Cursor<String> cursor = redis.scan(ScanOptions.scanOptions().match(glob).count(500).build())) {
            cursor.forEachRemaining(keys::add);
        }
        return keys;
    }
}
