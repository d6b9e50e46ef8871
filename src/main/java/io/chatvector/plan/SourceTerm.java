package io.chatvector.plan;

import java.io.Serializable;

/** {@code weight * plus}, or {@code weight * (plus - minus)} when minus is present. */
public record SourceTerm(float weight, Source plus, Source minus) implements Serializable {
}
