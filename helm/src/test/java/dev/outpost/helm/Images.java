package dev.outpost.helm;

import java.util.regex.Pattern;

/** What makes an image reference reproducible: a digest, or a tag that is not {@code latest}. */
final class Images {

    private static final Pattern DIGEST = Pattern.compile(".+@sha256:[a-f0-9]{64}");

    private Images() {
    }

    /** Why the reference is not pinned, or {@code null} when it is. */
    static String problem(String image) {
        if (image == null || image.isBlank()) {
            return "no image";
        }
        if (image.contains("@")) {
            return DIGEST.matcher(image).matches() ? null : "image " + image + " has an invalid digest";
        }
        String lastSegment = image.substring(image.lastIndexOf('/') + 1);
        int colon = lastSegment.indexOf(':');
        if (colon < 0) {
            return "image " + image + " has neither tag nor digest";
        }
        if (lastSegment.substring(colon + 1).equals("latest")) {
            return "image " + image + " uses the latest tag";
        }
        return null;
    }
}
