package dev.arbooth.adapter;

import dev.arbooth.ArboothException;

/** An adapter was bound onto a base other than the one it was trained on. */
public class IncompatibleAdapterException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which adapter, which base fingerprints, what to do
     */
    public IncompatibleAdapterException(String message) {
        super(message);
    }
}
