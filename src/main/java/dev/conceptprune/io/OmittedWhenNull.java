package dev.conceptprune.io;

import com.google.gson.Gson;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;

/**
 * For a field that is absent rather than null when it does not apply (e.g. {@code sweep} of a run
 * without a sweep): {@code @JsonAdapter(value = OmittedWhenNull.class, nullSafe = false)}. {@link Json}
 * writes nulls everywhere else.
 */
public final class OmittedWhenNull implements TypeAdapterFactory {
    @Override
    public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
        TypeAdapter<T> delegate = gson.getAdapter(type);
        return new TypeAdapter<>() {
            @Override
            public void write(JsonWriter out, T value) throws IOException {
                if (value != null) {
                    delegate.write(out, value);
                    return;
                }
                // A null value with null serialisation off drops the pending field name too.
                boolean nulls = out.getSerializeNulls();
                out.setSerializeNulls(false);
                out.nullValue();
                out.setSerializeNulls(nulls);
            }

            @Override
            public T read(JsonReader in) throws IOException {
                return delegate.read(in);
            }
        };
    }
}
